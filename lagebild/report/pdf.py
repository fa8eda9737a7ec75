"""The report as PDF, printed by headless Chromium from the HTML (the same page, print CSS).

Chromium is found through ``$LAGEBILD_CHROMIUM`` or on the ``PATH`` (``chromium``,
``chromium-browser``, ``google-chrome``). Without it the HTML report is still written and
the caller is told how to get the PDF. Chromium runs with networking features off, so
printing works offline and leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from lagebild.errors import ConfigError

__all__ = ["CHROMIUM_FLAGS", "find_chromium", "print_pdf"]

#: Flags for a quiet, offline, throw-away headless Chromium.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary, or None."""
    configured = os.environ.get("LAGEBILD_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else shutil.which(configured)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_file: Path, pdf_file: Path, timeout: float = 120.0) -> Path:
    """Print ``html_file`` to ``pdf_file`` with headless Chromium."""
    binary = find_chromium()
    if binary is None:
        raise ConfigError(
            "no Chromium found to print the PDF",
            hint="install Chromium (Debian: apt-get install chromium) or set LAGEBILD_CHROMIUM;"
            " the HTML report was written anyway",
        )
    with tempfile.TemporaryDirectory(prefix="lagebild-chromium-") as profile:
        cmd = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_file}",
            html_file.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConfigError(f"Chromium did not print {html_file} within {timeout:g} s") from exc
    if proc.returncode != 0 or not pdf_file.exists() or pdf_file.stat().st_size == 0:
        raise ConfigError(
            f"Chromium could not print {html_file} (exit {proc.returncode})",
            hint=proc.stderr.strip()[-500:] or None,
        )
    return pdf_file
