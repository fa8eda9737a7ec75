"""Cutting a large JSON Lines or CSV file into spans of whole records, to read in parallel.

JSON Lines split at any newline. CSV splits only at a newline outside quotes: with standard
(RFC 4180) quoting a newline ends a record exactly when the number of ``"`` before it is even,
so one pass that counts quotes and newlines finds safe cut points and the line number each
span starts at. The pass reads the file once at disk speed; no record is parsed twice.
"""

from __future__ import annotations

from pathlib import Path

from lagebild.ingest.base import Span

__all__ = ["plan_spans"]

_BLOCK = 8 << 20


def plan_spans(path: Path, kind: str, chunk_bytes: int) -> list[Span]:
    """Spans of about ``chunk_bytes`` covering every record of ``path`` once, in order."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        header = fh.readline() if kind == "csv" else b""
        start = len(header)
        first_line = 2 if header else 1
        spans: list[Span] = []
        if size - start <= chunk_bytes:
            return [Span(start, size, first_line)] if size > start else []
        target = start + chunk_bytes
        lines_before = first_line - 1  # newlines before the current block
        quotes = 0  # quotes since the start of the data (parity is what matters)
        pos = start
        while True:
            block = fh.read(_BLOCK)
            if not block:
                break
            block_end = pos + len(block)
            search_from = 0
            while target < block_end:
                cut = _cut(block, max(target - pos, search_from), quotes, kind)
                if cut is None:
                    break
                boundary = pos + cut
                line_at_boundary = lines_before + block.count(b"\n", 0, cut) + 1
                if boundary < size:
                    spans.append(Span(start, boundary, first_line))
                    start, first_line = boundary, line_at_boundary
                search_from = cut
                target = boundary + chunk_bytes
            if kind == "csv":
                quotes += block.count(b'"')
            lines_before += block.count(b"\n")
            pos = block_end
    if size > start:
        spans.append(Span(start, size, first_line))
    return spans


def _cut(block: bytes, frm: int, quotes_before: int, kind: str) -> int | None:
    """The position just after the first record-ending newline at or after ``frm``."""
    nl = block.find(b"\n", frm)
    if kind != "csv":
        return None if nl < 0 else nl + 1
    parity = (quotes_before + block.count(b'"', 0, nl if nl >= 0 else 0)) % 2
    while nl >= 0:
        if parity == 0:
            return nl + 1
        nxt = block.find(b"\n", nl + 1)
        if nxt < 0:
            return None
        parity = (parity + block.count(b'"', nl, nxt)) % 2
        nl = nxt
    return None
