"""schema.org ClaimReview JSON-LD, as fact-checkers publish it: in JSON files or HTML pages.

Fact-checkers (Correctiv, AFP, dpa, PolitiFact, Full Fact, ...) mark up each article with a
``ClaimReview`` node (https://schema.org/ClaimReview, Google's "Fact Check" structured data).
This reader finds those nodes wherever they sit: a single object, a list, an ``@graph``, nested
in another node (``mainEntity``, ``review``), one per line (JSON Lines), or in the
``<script type="application/ld+json">`` blocks of a saved HTML page. A node counts as a
ClaimReview when its ``@type`` is (or contains) ``ClaimReview`` or when it has
``claimReviewed``; other nodes (``WebPage``, ``Organization``, ...) are passed over.

Fields: ``claimReviewed`` → claim (required); ``itemReviewed.author`` → claimant;
``itemReviewed.datePublished`` (else ``itemReviewed.firstAppearance.datePublished``) →
claim_date; ``reviewRating.alternateName`` (else ``name``) → rating, with ``ratingValue``,
``bestRating``, ``worstRating`` for the verdict when the text is not recognised; ``author``
(else ``publisher``; an ``Organization`` preferred) → reviewer; ``url`` (else an http(s)
``@id``) → review_url; ``datePublished`` → review_date; ``inLanguage`` → language;
``name`` (else ``headline``) → title; ``description`` → summary.

A ClaimReview without claim text, or one that is not an object, is quarantined with its
pointer (``@graph[2]``, ``script[1].@graph[0]``); a script block that is not valid JSON is
quarantined as a whole; a file or page with no ClaimReview at all gives one quarantine record.
An unreadable date becomes ``None`` rather than costing the fact-check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import orjson

from lagebild.claims.factchecks import (
    FactCheck,
    FactCheckOptions,
    build_factcheck,
    opt_text,
    source_label,
)
from lagebild.claims.values import date_or_none, language_code
from lagebild.errors import RecordError
from lagebild.ingest.base import MALFORMED, Head, Where, iter_json_values, make_reject
from lagebild.model import Reject

__all__ = ["FORMAT", "claimreview_to_factcheck", "find_claimreviews", "read", "sniff"]

FORMAT: Final = "claimreview"

_HTML_SUFFIXES: Final = frozenset({".html", ".htm", ".xhtml"})
_SCRIPT: Final = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_LD_JSON: Final = re.compile(r"""type\s*=\s*["']?\s*application/ld\+json""", re.IGNORECASE)
_MARKUP: Final = re.compile(r'ClaimReview"|"claimReviewed"\s*:')


def sniff(head: Head) -> bool:
    """An HTML page, or JSON whose first bytes hold a ClaimReview node."""
    if head.suffix in _HTML_SUFFIXES or head.text.lstrip()[:1] == "<":
        return True
    return head.text.lstrip()[:1] in ("{", "[") and bool(_MARKUP.search(head.text))


def read(path: Path, options: FactCheckOptions) -> Iterator[FactCheck | Reject]:
    """The ClaimReviews of a JSON / JSON Lines file or an HTML page, as fact-checks."""
    with path.open("rb") as fh:
        start = fh.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.lower() in _HTML_SUFFIXES or start[:1] == b"<":
        yield from _read_html(path, options)
    else:
        yield from _read_json(path, options)


def _read_json(path: Path, options: FactCheckOptions) -> Iterator[FactCheck | Reject]:
    found = False
    for entry in iter_json_values(path, FORMAT):
        if isinstance(entry, Reject):
            found = True
            yield entry
            continue
        where, value = entry
        for item in _value_items(value, where, options):
            found = True
            yield item
    if not found:
        yield _nothing_found(path, "file")


def _read_html(path: Path, options: FactCheckOptions) -> Iterator[FactCheck | Reject]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    found = False
    line, last = 1, 0
    blocks = (m for m in _SCRIPT.finditer(text) if _LD_JSON.search(m.group(1)))
    for k, match in enumerate(blocks):
        line += text.count("\n", last, match.start())
        last = match.start()
        where = Where(str(path), line, None, f"script[{k}]")
        body = _unwrap(match.group(2))
        found = True
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            yield make_reject(where, FORMAT, f"script block is not valid JSON: {exc}", body)
            continue
        yield from _value_items(value, where, options)
    if not found:
        yield _nothing_found(path, "page (no application/ld+json script block)")


def _unwrap(body: str) -> str:
    """The JSON of a script block, without HTML comment or CDATA wrappers."""
    s = body.strip()
    for opening, closing in (("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>")):
        if s.startswith(opening) and s.endswith(closing):
            s = s[len(opening) : -len(closing)].strip()
    return s


def _nothing_found(path: Path, what: str) -> Reject:
    return make_reject(
        Where(str(path), None, None),
        FORMAT,
        f"no schema.org ClaimReview (@type ClaimReview or claimReviewed) in this {what}",
        "",
    )


def _value_items(value: Any, where: Where, options: FactCheckOptions) -> list[FactCheck | Reject]:
    """The items of one JSON value: a fact-check or a reject per ClaimReview node in it."""
    try:
        nodes = list(find_claimreviews(value))
    except MALFORMED as exc:
        return [make_reject(where, FORMAT, exc, value)]
    out: list[FactCheck | Reject] = []
    for pointer, node in nodes:
        sep = "." if where.pointer and pointer and pointer[0] != "[" else ""
        here = where.at(sep + pointer)
        try:
            out.append(claimreview_to_factcheck(node, source_label(here), options))
        except MALFORMED as exc:
            out.append(make_reject(here, FORMAT, exc, node))
    return out


def _is_claimreview(node: dict[str, Any]) -> bool:
    if "claimReviewed" in node:
        return True
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "ClaimReview"
               for k in kinds)  # fmt: skip


def find_claimreviews(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """``(pointer, node)`` for every ClaimReview node in a JSON-LD value, depth first.

    The pointer is written like ``@graph[2]`` or ``[0].mainEntity``. A ClaimReview's own
    children are not searched (a review does not nest reviews).
    """
    if isinstance(value, dict):
        if _is_claimreview(value):
            yield pointer, value
            return
        for key, child in value.items():
            if isinstance(child, dict | list):
                yield from find_claimreviews(child, f"{pointer}.{key}" if pointer else str(key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from find_claimreviews(child, f"{pointer}[{i}]")


def _first(value: Any) -> Any:
    """The first element of a list (JSON-LD allows a list wherever a value may stand)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _ld_text(value: Any, field_name: str) -> str | None:
    """Text of a JSON-LD value: a string, a ``{"@value": ...}``, or a node's ``name``."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value", value.get("name"))
    return opt_text(value, field_name)


def _names(value: Any, field_name: str) -> str | None:
    """The name(s) of a person or organisation (a string, a node, or a list of them)."""
    items = value if isinstance(value, list) else [value]
    names = [n for n in (_ld_text(v, field_name) for v in items) if n]
    return ", ".join(dict.fromkeys(names)) or None


def _reviewer(node: dict[str, Any]) -> str | None:
    """The reviewing organisation: ``author``, else ``publisher``; an Organization first."""
    candidates: list[Any] = []
    for key in ("author", "publisher"):
        value = node.get(key)
        candidates.extend(v for v in (value if isinstance(value, list) else [value]) if v)
    for c in candidates:
        if isinstance(c, dict) and "Organization" in str(c.get("@type", "")):
            return _ld_text(c, "author.name")
    return _ld_text(candidates[0], "author") if candidates else None


def claimreview_to_factcheck(node: Any, source: str, options: FactCheckOptions) -> FactCheck:
    """One ClaimReview node as a :class:`FactCheck`; a malformed node raises RecordError."""
    if not isinstance(node, dict):
        raise RecordError(f"ClaimReview is not an object but {type(node).__name__}")
    claim = _ld_text(node.get("claimReviewed"), "claimReviewed")
    if claim is None:
        raise RecordError("missing claimReviewed (the claim's text)")
    item = _first(node.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    first_seen = _first(item.get("firstAppearance"))
    claim_date = item.get("datePublished") or (
        first_seen.get("datePublished") if isinstance(first_seen, dict) else None
    )
    rating = _first(node.get("reviewRating"))
    rating = rating if isinstance(rating, dict) else {}
    value = rating.get("ratingValue")
    text = _ld_text(rating.get("alternateName"), "reviewRating.alternateName") or _ld_text(
        rating.get("name"), "reviewRating.name"
    )
    if text is None and isinstance(value, str) and not _is_number(value):
        text = opt_text(value, "reviewRating.ratingValue")  # a rating written as a word
    url = _ld_text(node.get("url"), "url")
    node_id = node.get("@id")
    if url is None and isinstance(node_id, str) and node_id.startswith(("http://", "https://")):
        url = node_id
    return build_factcheck(
        claim=claim,
        source=source,
        options=options,
        namespace=FORMAT,
        claimant=_names(item.get("author"), "itemReviewed.author"),
        claim_date=date_or_none(_first(claim_date), "itemReviewed.datePublished"),
        rating=text,
        rating_value=value,
        best_rating=rating.get("bestRating"),
        worst_rating=rating.get("worstRating"),
        reviewer=_reviewer(node),
        review_url=url,
        review_date=date_or_none(_first(node.get("datePublished")), "datePublished"),
        language=language_code(node.get("inLanguage")),
        title=_ld_text(node.get("name"), "name") or _ld_text(node.get("headline"), "headline"),
        summary=_ld_text(node.get("description"), "description"),
    )


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
