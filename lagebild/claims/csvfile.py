"""A simple CSV (or TSV) of fact-checks: the team's own list, or an export from elsewhere.

The header names the columns; only ``claim`` is required, the order does not matter, case and
spaces/hyphens in names do not either, and unknown columns are ignored:

=============== =====================================================================
column          meaning
=============== =====================================================================
``claim``       the claim's text (required)
``claimant``    who made the claim
``claim_date``  when the claim was made (``2024-01-10``, ``10.01.2024``, ``10 January 2024``)
``rating``      the rating as published (alias ``textual_rating``)
``verdict``     false / misleading / true / mixed / other, or a rating the normaliser
                knows ("falsch"); empty: normalised from ``rating`` (and the numbers below)
``rating_value``, ``best_rating``, ``worst_rating``  a numeric rating (schema.org style)
``reviewer``    the fact-checking organisation (alias ``publisher``)
``review_url``  the fact-check's address (alias ``url``)
``review_date`` when it was published (alias ``date``)
``language``    ISO 639-1 code or a language name (alias ``lang``); empty: guessed de/en
``title``       the fact-check's headline
``summary``     its short summary
``external_id`` your own id of the record (alias ``id``)
=============== =====================================================================

The delimiter (comma or tab) is taken from the header line. Because a CSV is usually the
team's own file, its values are read strictly: a row without a claim, with a date, language,
verdict or URL that cannot be read, or with the wrong number of columns is quarantined with the
column named, so it can be fixed and imported again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final

from lagebild.claims.factchecks import (
    FactCheck,
    FactCheckOptions,
    build_factcheck,
    opt_text,
    req_text,
    source_label,
)
from lagebild.claims.values import language_code, parse_date
from lagebild.claims.verdicts import VERDICTS, verdict_from_text
from lagebild.errors import FormatError, RecordError
from lagebild.ingest.base import MALFORMED, Head, make_reject
from lagebild.ingest.tabular import csv_header, iter_csv_rows
from lagebild.model import Reject

__all__ = ["COLUMNS", "FORMAT", "canonical_column", "read", "row_to_factcheck", "sniff"]

FORMAT: Final = "csv"

#: The columns the CSV reader understands.
COLUMNS: Final = (
    "claim", "claimant", "claim_date", "rating", "verdict", "rating_value", "best_rating",
    "worst_rating", "reviewer", "review_url", "review_date", "language", "title", "summary",
    "external_id",
)  # fmt: skip
_ALIASES: Final = {
    "textual_rating": "rating",
    "publisher": "reviewer",
    "url": "review_url",
    "date": "review_date",
    "lang": "language",
    "id": "external_id",
}
_SEPARATORS: Final = re.compile(r"[\s\-]+")


def canonical_column(name: str) -> str:
    """The field a header cell names: ``Review URL`` → ``review_url``, ``url`` → ``review_url``."""
    key = _SEPARATORS.sub("_", name.strip().casefold())
    return _ALIASES.get(key, key)


def sniff(head: Head) -> bool:
    """A CSV/TSV header with a ``claim`` column."""
    return head.csv_header is not None and "claim" in {canonical_column(c) for c in head.csv_header}


def read(path: Path, options: FactCheckOptions) -> Iterator[FactCheck | Reject]:
    """The rows of a fact-check CSV as fact-checks; bad rows are quarantined."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        header = csv_header(fh.readline().lstrip("\ufeff")) or ()
    names = {c: canonical_column(c) for c in header}
    if "claim" not in names.values():
        raise FormatError(
            f"{path}: no 'claim' column in the header",
            hint=f"name the columns in the first line; known: {', '.join(COLUMNS)}",
        )
    for entry in iter_csv_rows(path, FORMAT):
        if isinstance(entry, Reject):
            yield entry
            continue
        where, row = entry
        record = {names[k]: v for k, v in row.items() if names.get(k) in COLUMNS}
        try:
            yield row_to_factcheck(record, source_label(where), options)
        except MALFORMED as exc:
            yield make_reject(where, FORMAT, exc, row)


def row_to_factcheck(row: Mapping[str, str], source: str, options: FactCheckOptions) -> FactCheck:
    """One CSV row (keys: :data:`COLUMNS`) as a :class:`FactCheck`, read strictly."""

    def text(name: str) -> str | None:
        return opt_text(row.get(name), name)

    language = text("language")
    code = language_code(language) if language else None
    if language and code is None:
        raise RecordError(f"language {language!r} is not an ISO 639-1 code or a known name")
    verdict = text("verdict")
    if verdict is not None and verdict.casefold() in VERDICTS:
        verdict = verdict.casefold()
    elif verdict is not None:
        named = verdict_from_text(verdict)
        if named is None:
            raise RecordError(
                f"verdict {verdict!r} is not one of {', '.join(VERDICTS)} nor a known rating"
            )
        verdict = named
    return build_factcheck(
        claim=req_text(row.get("claim"), "claim"),
        source=source,
        options=options,
        namespace=FORMAT,
        claimant=text("claimant"),
        claim_date=parse_date(text("claim_date"), "claim_date"),
        rating=text("rating"),
        verdict=verdict,
        rating_value=text("rating_value"),
        best_rating=text("best_rating"),
        worst_rating=text("worst_rating"),
        reviewer=text("reviewer"),
        review_url=text("review_url"),
        review_date=parse_date(text("review_date"), "review_date"),
        language=code,
        title=text("title"),
        summary=text("summary"),
        external_id=text("external_id"),
    )
