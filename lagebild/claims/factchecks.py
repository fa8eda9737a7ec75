"""The canonical fact-check record, its Arrow schema, its stable id, and value helpers.

A :class:`FactCheck` is one published verdict on one claim, whatever it was read from
(schema.org ClaimReview, the Google Fact Check Tools API, CheckThat! claim files, a CSV, or a
team member's ``lagebild factchecks add``). Conventions:

* ``claim`` is the claim as published (whitespace trimmed); ``rating`` the textual rating as
  published; ``verdict`` one of :data:`~lagebild.claims.verdicts.VERDICTS`.
* ``claim_date`` and ``review_date`` are calendar dates as the publisher wrote them (the date
  part in the publisher's own time zone: a fact-check published at 23:30 +01:00 on 10 January
  is dated 10 January).
* ``language`` is an ISO 639-1 code: from the input when it says (``inLanguage``,
  ``languageCode``, a ``language`` column), else :func:`guess_language`, else ``None``.
* ``summary`` is the fact-check's short summary where the input has one (ClaimReview
  ``description``, CheckThat! 2021 ``subtitle``): matching may use it next to the claim.
* ``external_id`` is the input's own id of the record (CheckThat! ``vclaim_id``), so that an
  evaluation can map a fact-check back to the benchmark's qrels.
* ``source`` names the file and where in it (``page.html:42:@graph[1]``, ``claims.tsv:17``);
  ``added_by`` is ``import`` for imports or the team member for ``add``; ``added_at`` is UTC.

The id (:func:`factcheck_id`) is the first 16 hex digits of a SHA-256, so the same fact-check
read twice, from the same or another file, gets the same id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

import pyarrow as pa

from lagebild.claims.values import guess_language
from lagebild.claims.verdicts import VERDICTS, normalize_verdict
from lagebild.errors import RecordError
from lagebild.ingest.base import Where
from lagebild.ingest.urls import normalize_url

__all__ = [
    "FACTCHECK_SCHEMA",
    "FactCheck",
    "FactCheckOptions",
    "build_factcheck",
    "factcheck_id",
    "factchecks_to_table",
    "normalize_claim",
    "opt_text",
    "req_text",
    "source_label",
    "table_to_factchecks",
]

_TS = pa.timestamp("us", tz="UTC")


class FactCheck(NamedTuple):
    """One published verdict on one claim, in the same shape whatever it was read from."""

    factcheck_id: str
    claim: str
    claimant: str | None
    claim_date: dt.date | None
    rating: str | None
    verdict: str
    reviewer: str | None
    review_url: str | None
    review_date: dt.date | None
    language: str | None
    title: str | None
    summary: str | None
    external_id: str | None
    source: str
    added_by: str
    added_at: dt.datetime


FACTCHECK_SCHEMA: Final = pa.schema(
    [
        pa.field("factcheck_id", pa.string(), nullable=False),
        pa.field("claim", pa.string(), nullable=False),
        pa.field("claimant", pa.string()),
        pa.field("claim_date", pa.date32()),
        pa.field("rating", pa.string()),
        pa.field("verdict", pa.string(), nullable=False),
        pa.field("reviewer", pa.string()),
        pa.field("review_url", pa.string()),
        pa.field("review_date", pa.date32()),
        pa.field("language", pa.string()),
        pa.field("title", pa.string()),
        pa.field("summary", pa.string()),
        pa.field("external_id", pa.string()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("added_by", pa.string(), nullable=False),
        pa.field("added_at", _TS, nullable=False),
    ]
)


def factchecks_to_table(rows: Sequence[FactCheck]) -> pa.Table:
    """Turn fact-checks into an Arrow table with :data:`FACTCHECK_SCHEMA`."""
    if not rows:
        return FACTCHECK_SCHEMA.empty_table()
    cols = zip(*rows, strict=True)
    arrays = [pa.array(col, type=f.type) for col, f in zip(cols, FACTCHECK_SCHEMA, strict=True)]
    return pa.Table.from_arrays(arrays, schema=FACTCHECK_SCHEMA)


def table_to_factchecks(table: pa.Table) -> list[FactCheck]:
    """Read fact-checks back from an Arrow table (any column order; extra columns ignored)."""
    cols = [table.column(name).to_pylist() for name in FactCheck._fields]
    return [FactCheck(*values) for values in zip(*cols, strict=True)]


# --- the id -------------------------------------------------------------------------------

_QUOTES: Final = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'",
                                "’": "'", "‚": "'", "‹": "'", "›": "'"})  # fmt: skip
_SPACES: Final = re.compile(r"\s+")


def normalize_claim(text: str) -> str:
    """A claim's text as compared for identity: NFKC, case-folded, straight quotes, one space.

    Surrounding quotes, full stops and spaces do not count, so ``„Foo“.`` and ``foo`` are one
    claim.
    """
    s = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    return _SPACES.sub(" ", s).strip("\"'. ")


def factcheck_id(
    claim: str,
    *,
    review_url: str | None = None,
    reviewer: str | None = None,
    external_id: str | None = None,
    namespace: str = "",
) -> str:
    """The stable id of a fact-check: the first 16 hex digits of a SHA-256 of its key.

    The key is, first that applies: the normalised review URL together with the normalised
    claim (one article often reviews several claims under one URL); the input's own id in its
    ``namespace`` (CheckThat!'s ``vclaim_id``: the benchmark holds different ids with the same
    claim text, and each must stay apart); the normalised claim with the normalised reviewer.
    """
    url = normalize_url(review_url) if review_url else None
    if url:
        key = f"url:{url}\nclaim:{normalize_claim(claim)}"
    elif external_id:
        key = f"ext:{namespace}:{external_id}"
    else:
        who = _SPACES.sub(" ", (reviewer or "").casefold()).strip()
        key = f"claim:{normalize_claim(claim)}\nreviewer:{who}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


# --- building records -----------------------------------------------------------------------


@dataclass(frozen=True)
class FactCheckOptions:
    """What a reader cannot learn from the file: who adds the records, when, and a reviewer.

    ``reviewer`` is used for records that do not name one (a CheckThat! file of Snopes
    fact-checks, a team's CSV); a reviewer the record names always wins.
    """

    added_by: str = "import"
    added_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    reviewer: str | None = None


def source_label(where: Where) -> str:
    """``file:line:pointer`` for a record's ``source`` (file name only; parts that are known)."""
    parts = [os.path.basename(where.source)]
    if where.line is not None:
        parts.append(str(where.line))
    if where.pointer:
        parts.append(where.pointer)
    return ":".join(parts)


def opt_text(value: Any, field_name: str) -> str | None:
    """Optional text, trimmed: ``None`` or blank is missing; numbers become text."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(f"{field_name} is not text: {value!r:.80}")
    s = str(value).strip()
    return s or None


def req_text(value: Any, field_name: str) -> str:
    """Required text, trimmed; missing or blank raises :class:`RecordError` naming the field."""
    s = opt_text(value, field_name)
    if s is None:
        raise RecordError(f"missing {field_name}")
    return s


def build_factcheck(
    *,
    claim: str,
    source: str,
    options: FactCheckOptions,
    namespace: str,
    claimant: str | None = None,
    claim_date: dt.date | None = None,
    rating: str | None = None,
    verdict: str | None = None,
    rating_value: Any = None,
    best_rating: Any = None,
    worst_rating: Any = None,
    reviewer: str | None = None,
    review_url: str | None = None,
    review_date: dt.date | None = None,
    language: str | None = None,
    title: str | None = None,
    summary: str | None = None,
    external_id: str | None = None,
) -> FactCheck:
    """A :class:`FactCheck` with its id, verdict, reviewer and language filled in.

    ``verdict`` (when given) must be one of :data:`VERDICTS`; otherwise it is normalised from
    ``rating`` and the numeric rating. ``reviewer`` falls back to ``options.reviewer`` and
    ``language`` to :func:`~lagebild.claims.values.guess_language`. ``namespace`` (the format
    name) scopes ``external_id`` in the id. A review URL that is not a web address raises
    :class:`RecordError`.
    """
    if verdict is None:
        verdict = normalize_verdict(rating, rating_value, best_rating, worst_rating)
    elif verdict not in VERDICTS:
        raise RecordError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    if review_url is not None and not (normalize_url(review_url) or "").startswith("https://"):
        raise RecordError(f"review URL is not a web address: {review_url[:200]!r}")
    reviewer = reviewer or options.reviewer
    return FactCheck(
        factcheck_id=factcheck_id(
            claim,
            review_url=review_url,
            reviewer=reviewer,
            external_id=external_id,
            namespace=namespace,
        ),
        claim=claim,
        claimant=claimant,
        claim_date=claim_date,
        rating=rating,
        verdict=verdict,
        reviewer=reviewer,
        review_url=review_url,
        review_date=review_date,
        language=language or guess_language(claim, title, summary),
        title=title,
        summary=summary,
        external_id=external_id,
        source=source,
        added_by=options.added_by,
        added_at=options.added_at,
    )
