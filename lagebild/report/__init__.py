"""The situation report: one self-contained HTML page (and a PDF) over the store's findings."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from lagebild.errors import ConfigError
from lagebild.report.gather import ReportData, ReportParams, gather
from lagebild.report.pdf import find_chromium, print_pdf
from lagebild.store import PostStore

__all__ = ["ReportData", "ReportParams", "ReportResult", "gather", "write_report"]


@dataclass(frozen=True)
class ReportResult:
    """Where the report went, what it lacks, and how long it took."""

    html: Path
    pdf: Path | None
    data: Path
    missing: list[str]
    pdf_error: str | None
    seconds: float


def write_report(
    store: PostStore, out: Path, params: ReportParams | None = None, *, pdf: bool = True
) -> ReportResult:
    """Write ``report.html``, ``report.json`` and (with Chromium) ``report.pdf`` into ``out``."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    data = gather(store, params)
    html_file = out / "report.html"
    from lagebild.report.html import render_html  # matplotlib: loaded only when used

    html_file.write_text(render_html(data), encoding="utf-8")
    data_file = out / "report.json"
    data_file.write_text(
        json.dumps(asdict(data), ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    pdf_file: Path | None = None
    error: str | None = None
    if pdf:
        try:
            pdf_file = print_pdf(html_file, out / "report.pdf")
        except ConfigError as exc:
            error = str(exc)
    return ReportResult(
        html=html_file,
        pdf=pdf_file,
        data=data_file,
        missing=data.missing,
        pdf_error=error,
        seconds=time.perf_counter() - started,
    )


# re-exported for callers that only want to know whether a PDF is possible
_ = find_chromium
