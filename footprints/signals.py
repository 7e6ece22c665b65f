"""The one published extension point of footprints.

`footprint_recorded` is sent inside the transaction that stores a new footprint, with
`footprint` (the saved CarbonFootprint) and `result` (the engine's FootprintResult). Subscribers
(recommendations, goals) connect in their AppConfig.ready() and write in the same transaction,
so a failure leaves nothing half-saved.
"""

from django.dispatch import Signal

footprint_recorded = Signal()
