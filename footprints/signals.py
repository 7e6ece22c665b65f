"""The one published extension point of footprints.

`footprint_recorded` is sent inside the transaction that stores a new footprint, with
`footprint` (the saved CarbonFootprint) and `result` (the engine's FootprintResult). Subscribers
(recommendations, goals) connect in their AppConfig.ready() and write in the same transaction,
so a failure leaves nothing half-saved.

A subscriber may return a dict of parts of the calculation's answer that it has just stored
(recommendations returns {"recommendations": [...]} in RecommendationBriefOutput's shape), so
that the request that made the footprint answers without reading back what it wrote.
"""

from django.dispatch import Signal

footprint_recorded = Signal()
