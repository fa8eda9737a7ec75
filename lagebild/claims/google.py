"""The Google Fact Check Tools API ``claims:search`` response, as JSON or JSON Lines of pages.

A page (https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search)
is ``{"claims": [...], "nextPageToken": "..."}``; each claim has ``text``, ``claimant``,
``claimDate`` and a list ``claimReview`` of ``{"publisher": {"name", "site"}, "url", "title",
"reviewDate", "textualRating", "languageCode"}``. Each claimReview becomes one fact-check:
claim ← ``text``, claimant ← ``claimant``, claim_date ← ``claimDate``, reviewer ←
``publisher.name`` (else ``publisher.site``), review_url ← ``url``, title ← ``title``,
review_date ← ``reviewDate``, rating ← ``textualRating``, language ← ``languageCode``.

The file may hold one page, a list of pages, pages one per line (what a paging script
appends), or bare claim objects. An empty page (``{}``: the API's answer when nothing matched)
adds nothing. A claim without ``text`` or ``claimReview`` is quarantined whole
(``claims[3]``); one malformed review only itself (``claims[3].claimReview[1]``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
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
from lagebild.claims.values import date_or_none, language_code
from lagebild.errors import RecordError
from lagebild.ingest.base import MALFORMED, Head, Where, iter_json_values, make_reject
from lagebild.model import Reject

__all__ = ["FORMAT", "read", "review_to_factcheck", "sniff"]

FORMAT: Final = "google-factcheck"

_MARKUP: Final = re.compile(r'"claimReview"\s*:')


def sniff(head: Head) -> bool:
    """JSON with a ``claims`` list of claims, or a ``claimReview`` key in its first bytes."""
    first = head.first_json
    if isinstance(first, list) and first:
        first = first[0]
    if isinstance(first, dict) and (
        isinstance(first.get("claims"), list) or isinstance(first.get("claimReview"), list)
    ):
        return True
    return head.text.lstrip()[:1] in ("{", "[") and bool(_MARKUP.search(head.text))


def read(path: Path, options: FactCheckOptions) -> Iterator[FactCheck | Reject]:
    """One fact-check per claimReview of every claim in the file's pages."""
    for entry in iter_json_values(path, FORMAT):
        if isinstance(entry, Reject):
            yield entry
            continue
        where, value = entry
        if isinstance(value, dict) and "claims" in value:
            claims = value["claims"]
            if not isinstance(claims, list):
                yield make_reject(where, FORMAT, "'claims' is not a list", value)
                continue
            for i, claim in enumerate(claims):
                yield from _claim_items(claim, where.at(f"claims[{i}]"), options)
        elif isinstance(value, dict) and ("claimReview" in value or "text" in value):
            yield from _claim_items(value, where, options)
        elif isinstance(value, dict) and not (value.keys() - {"nextPageToken"}):
            continue  # an empty page: nothing matched the search
        else:
            reason = "not a claims:search page (no 'claims' list) nor a claim"
            yield make_reject(where, FORMAT, reason, value)


def _claim_items(claim: Any, where: Where, options: FactCheckOptions) -> list[FactCheck | Reject]:
    try:
        if not isinstance(claim, dict):
            raise RecordError(f"claim is not an object but {type(claim).__name__}")
        text = req_text(claim.get("text"), "text (the claim)")
        reviews = claim.get("claimReview")
        if not isinstance(reviews, list) or not reviews:
            raise RecordError("missing claimReview (the list of reviews of this claim)")
        claimant = opt_text(claim.get("claimant"), "claimant")
        claim_date = date_or_none(claim.get("claimDate"), "claimDate")
    except MALFORMED as exc:
        return [make_reject(where, FORMAT, exc, claim)]
    out: list[FactCheck | Reject] = []
    for j, review in enumerate(reviews):
        here = where.at(f"{'.' if where.pointer else ''}claimReview[{j}]")
        try:
            out.append(
                review_to_factcheck(text, claimant, claim_date, review, source_label(here), options)
            )
        except MALFORMED as exc:
            out.append(make_reject(here, FORMAT, exc, review))
    return out


def review_to_factcheck(
    claim: str,
    claimant: str | None,
    claim_date: dt.date | None,
    review: Any,
    source: str,
    options: FactCheckOptions,
) -> FactCheck:
    """One claimReview of a claim as a :class:`FactCheck`; a malformed one raises RecordError."""
    if not isinstance(review, dict):
        raise RecordError(f"claimReview is not an object but {type(review).__name__}")
    publisher = review.get("publisher") or {}
    if not isinstance(publisher, dict):
        raise RecordError(f"publisher is not an object: {publisher!r:.80}")
    language = review.get("languageCode")
    return build_factcheck(
        claim=claim,
        source=source,
        options=options,
        namespace=FORMAT,
        claimant=claimant,
        claim_date=claim_date,
        rating=opt_text(review.get("textualRating"), "textualRating"),
        reviewer=opt_text(publisher.get("name"), "publisher.name")
        or opt_text(publisher.get("site"), "publisher.site"),
        review_url=opt_text(review.get("url"), "url"),
        review_date=date_or_none(review.get("reviewDate"), "reviewDate"),
        language=language_code(language) if language else None,
        title=opt_text(review.get("title"), "title"),
    )
