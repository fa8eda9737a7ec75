"""Claimed regions and their timezones, for night-time activity in local time.

An account's claimed region is the value of its first label of the form ``region:<name>``
(the IRA / FiveThirtyEight data), ``country:<name>`` or ``admin-country:<name>`` (CrowdTangle:
where the page's admins are), taken from its latest snapshot that has one. The region is
looked up, case-insensitively, in :data:`REGION_TIMEZONES`: country names as the exports
write them and ISO 3166 alpha-2 codes. A country spanning several timezones gets the zone of
its capital or largest population (the United States: Eastern time, where about half of its
people live); the docs list every entry. A region that is not in the table is reported, and
the night-time signal is left missing rather than guessed.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["REGION_LABELS", "REGION_TIMEZONES", "region_table", "timezone_of"]

#: Label prefixes that name a claimed region, in order of preference.
REGION_LABELS = ("region", "country", "admin-country")

_ZONES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # zone, ISO code, names as exports write them
    ("America/New_York", "US", ("United States", "United States of America", "USA")),
    ("America/Toronto", "CA", ("Canada",)),
    ("America/Mexico_City", "MX", ("Mexico",)),
    ("America/Sao_Paulo", "BR", ("Brazil",)),
    ("America/Caracas", "VE", ("Venezuela",)),
    ("America/Argentina/Buenos_Aires", "AR", ("Argentina",)),
    ("Europe/London", "GB", ("United Kingdom", "UK", "Great Britain")),
    ("Europe/Dublin", "IE", ("Ireland",)),
    ("Europe/Berlin", "DE", ("Germany", "Deutschland")),
    ("Europe/Vienna", "AT", ("Austria", "Österreich")),
    ("Europe/Zurich", "CH", ("Switzerland", "Schweiz")),
    ("Europe/Paris", "FR", ("France",)),
    ("Europe/Brussels", "BE", ("Belgium",)),
    ("Europe/Amsterdam", "NL", ("Netherlands",)),
    ("Europe/Rome", "IT", ("Italy",)),
    ("Europe/Madrid", "ES", ("Spain",)),
    ("Europe/Lisbon", "PT", ("Portugal",)),
    ("Europe/Warsaw", "PL", ("Poland",)),
    ("Europe/Prague", "CZ", ("Czech Republic", "Czechia")),
    ("Europe/Budapest", "HU", ("Hungary",)),
    ("Europe/Stockholm", "SE", ("Sweden",)),
    ("Europe/Helsinki", "FI", ("Finland",)),
    ("Europe/Tallinn", "EE", ("Estonia",)),
    ("Europe/Riga", "LV", ("Latvia",)),
    ("Europe/Vilnius", "LT", ("Lithuania",)),
    ("Europe/Athens", "GR", ("Greece",)),
    ("Europe/Bucharest", "RO", ("Romania",)),
    ("Europe/Sofia", "BG", ("Bulgaria",)),
    ("Europe/Belgrade", "RS", ("Serbia",)),
    ("Europe/Chisinau", "MD", ("Moldova", "Moldova, Republic of")),
    ("Europe/Kyiv", "UA", ("Ukraine",)),
    ("Europe/Minsk", "BY", ("Belarus",)),
    ("Europe/Moscow", "RU", ("Russia", "Russian Federation")),
    ("Europe/Istanbul", "TR", ("Turkey", "Türkiye")),
    ("Asia/Tbilisi", "GE", ("Georgia",)),
    ("Asia/Yerevan", "AM", ("Armenia",)),
    ("Asia/Baku", "AZ", ("Azerbaijan",)),
    ("Asia/Almaty", "KZ", ("Kazakhstan",)),
    ("Asia/Jerusalem", "IL", ("Israel",)),
    ("Asia/Baghdad", "IQ", ("Iraq",)),
    ("Asia/Riyadh", "SA", ("Saudi Arabia",)),
    ("Asia/Dubai", "AE", ("United Arab Emirates",)),
    ("Asia/Tehran", "IR", ("Iran", "Iran, Islamic Republic of")),
    ("Asia/Kabul", "AF", ("Afghanistan",)),
    ("Asia/Kolkata", "IN", ("India",)),
    ("Asia/Shanghai", "CN", ("China",)),
    ("Asia/Hong_Kong", "HK", ("Hong Kong",)),
    ("Asia/Tokyo", "JP", ("Japan",)),
    ("Asia/Kuala_Lumpur", "MY", ("Malaysia",)),
    ("Africa/Cairo", "EG", ("Egypt",)),
    ("Australia/Sydney", "AU", ("Australia",)),
)

#: Lower-cased region name or ISO code -> IANA timezone.
REGION_TIMEZONES: dict[str, str] = {
    key.lower(): zone for zone, iso, names in _ZONES for key in (iso, *names)
}


def timezone_of(region: str | None) -> str | None:
    """The IANA timezone of a claimed region, or None when it is unknown."""
    return REGION_TIMEZONES.get(region.strip().lower()) if region else None


def region_table() -> pa.Table:
    """The timezone table as Arrow (``region`` lower-cased, ``tz``) for joins in DuckDB."""
    return pa.table(
        {
            "region": pa.array(list(REGION_TIMEZONES), pa.string()),
            "tz": pa.array(list(REGION_TIMEZONES.values()), pa.string()),
        }
    )
