"""The verified-claim files of the CLEF CheckThat! lab (task 2, claim retrieval).

Two layouts, the same for other years of the lab:

* **2020** ``verified_claims.docs.tsv``: tab-separated with a header; the first column
  (named ``vclaim_id``, or unnamed as in the published file) is the id, then ``vclaim`` and
  ``title``. Fields may be quoted and span lines.
* **2021** ``vclaims.jsonl`` (also ``verified-claims.jsonl``): one JSON object per line with
  ``vclaim_id``, ``vclaim``, ``title``, ``subtitle``, ``author`` and ``date``
  (``26 May 2015``).

Mapping: ``vclaim`` → claim, ``vclaim_id`` → external_id (so an evaluation maps results back
to the qrels), ``title`` → title, ``subtitle`` → summary, ``date`` → review_date (an
unreadable date, such as the 2021 file's few text fragments, becomes ``None``). The files carry
no rating, so the verdict is ``other``, and no reviewer: pass one with ``--reviewer Snopes``
(the published files are Snopes fact-checks; ``author`` names the writer, not the
organisation, and is not kept). The id is keyed by ``vclaim_id`` because the files hold
different ids with the same claim text (7 in 2020, 26 in 2021). A record without id or claim
is quarantined.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from lagebild.claims.factchecks import (
    FactCheck,
    FactCheckOptions,
    build_factcheck,
    opt_text,
    req_text,
    source_label,
)
from lagebild.claims.values import date_or_none
from lagebild.errors import FormatError
from lagebild.ingest.base import MALFORMED, Head, Where, iter_json_values, make_reject
from lagebild.ingest.tabular import csv_header, iter_csv_rows
from lagebild.model import Reject

__all__ = ["FORMAT", "read", "record_to_factcheck", "sniff"]

FORMAT: Final = "checkthat"

_MARKUP: Final = re.compile(r'"vclaim"\s*:')


def sniff(head: Head) -> bool:
    """A TSV whose header has ``vclaim``, or JSON records with a ``vclaim`` field."""
    if head.csv_header is not None and "vclaim" in head.csv_header:
        return True
    if isinstance(head.first_json, dict) and "vclaim" in head.first_json:
        return True
    return head.text.lstrip()[:1] in ("{", "[") and bool(_MARKUP.search(head.text))


def read(path: Path, options: FactCheckOptions) -> Iterator[FactCheck | Reject]:
    """The verified claims of a CheckThat! TSV or JSON Lines file, as fact-checks."""
    with path.open("rb") as fh:
        start = fh.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"{", b"["):
        entries: Iterator[tuple[Where, Any] | Reject] = iter_json_values(path, FORMAT)
        id_column = "vclaim_id"
    else:
        with path.open(encoding="utf-8", errors="replace") as fh:
            header = csv_header(fh.readline()) or ()
        if "vclaim" not in header:
            raise FormatError(
                f"{path}: no 'vclaim' column in the header",
                hint="a CheckThat! TSV has the columns vclaim_id (or unnamed), vclaim, title",
            )
        id_column = "vclaim_id" if "vclaim_id" in header else header[0]
        if id_column == "vclaim":
            raise FormatError(
                f"{path}: no id column before 'vclaim'",
                hint="the first column (vclaim_id, or unnamed) must hold the ids",
            )
        entries = iter_csv_rows(path, FORMAT)
    for entry in entries:
        if isinstance(entry, Reject):
            yield entry
            continue
        where, record = entry
        try:
            yield record_to_factcheck(record, id_column, source_label(where), options)
        except MALFORMED as exc:
            yield make_reject(where, FORMAT, exc, record)


def record_to_factcheck(
    record: Mapping[str, Any], id_column: str, source: str, options: FactCheckOptions
) -> FactCheck:
    """One verified claim (a TSV row or a JSON object) as a :class:`FactCheck`."""
    if not isinstance(record, Mapping):
        raise TypeError(f"record is not an object but {type(record).__name__}")
    return build_factcheck(
        claim=req_text(record.get("vclaim"), "vclaim (the claim)"),
        source=source,
        options=options,
        namespace=FORMAT,
        external_id=req_text(record.get(id_column), "vclaim_id"),
        title=opt_text(record.get("title"), "title"),
        summary=opt_text(record.get("subtitle"), "subtitle"),
        review_date=date_or_none(record.get("date"), "date"),
    )
