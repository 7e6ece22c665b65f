"""Where the visitor lives: the engine's countries, the currency money answers are asked in, and
a first guess from the browser's languages."""

from __future__ import annotations

from dataclasses import dataclass

from footprints import engine

COUNTRY_CHOICES = engine.countries()  # immutable engine data: computed once per process
COUNTRY_NAMES = dict(COUNTRY_CHOICES)
DEFAULT_COUNTRY = "GB"


@dataclass(frozen=True, slots=True)
class Currency:
    """How money answers are asked: the engine prices GB spending in GBP, everywhere else in USD."""

    code: str
    name: str

    @property
    def unit(self) -> str:
        return f"{self.name}/month"


def currency_for(country: str | None) -> Currency:
    if country == "GB":
        return Currency("GBP", "GBP")
    if country == "US":
        return Currency("USD", "USD")
    return Currency("USD", "US dollars")


def country_from_accept_language(header: str) -> str | None:
    """The first region named in an Accept-Language header that the engine knows ("en-GB")."""
    for part in header.split(",")[:10]:
        tag = part.split(";", 1)[0].strip()
        if "-" in tag:
            region = tag.rsplit("-", 1)[-1].upper()
            if region in COUNTRY_NAMES and region != "WORLD":
                return region
    return None
