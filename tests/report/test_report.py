"""The situation report: what it says when data is missing, and the demo's report in a real
headless Chromium (pages load, figures render, links resolve)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lagebild.ingest.pipeline import ingest
from lagebild.plugins import Registry
from lagebild.report import ReportParams, gather, write_report
from lagebild.store import PostStore
from tests.conftest import EXAMPLES


def test_empty_store_gives_a_report_that_says_so(tmp_path: Path) -> None:
    result = write_report(PostStore(tmp_path / "empty"), tmp_path / "out", pdf=False)
    assert result.missing == ["no posts in the store"]
    html = result.html.read_text()
    assert "no posts in the store" in html
    assert "<svg" not in html


def test_period_without_posts_is_named(tmp_path: Path, registry: Registry) -> None:
    store = PostStore(tmp_path / "data")
    ingest(store, [EXAMPLES / "bluesky"], registry=registry, workers=1)
    p = ReportParams(
        since=dt.datetime(2030, 1, 1, tzinfo=dt.UTC), until=dt.datetime(2030, 2, 1, tzinfo=dt.UTC)
    )
    data = gather(store, p)
    assert data.totals["posts"] == 0
    assert any("no posts in the chosen period" in m for m in data.missing)


def test_sections_without_detectors_say_what_to_run(tmp_path: Path, registry: Registry) -> None:
    store = PostStore(tmp_path / "data")
    ingest(store, [EXAMPLES / "ira538" / "ira_german_2016.csv"], registry=registry, workers=1)
    result = write_report(store, tmp_path / "out", pdf=False)
    text = " ".join(result.missing)
    for needle in (
        "view counts",
        "narratives: not built",
        "lagebild match",
        "coordination",
        "lagebild spikes",
    ):
        assert needle in text
    html = result.html.read_text()
    assert html.count("<svg") == 1  # the volume plot only: no empty plots


def _browser_or_skip() -> Any:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip(
            "Chromium and ChromeDriver are needed (apt-get install chromium "
            "chromium-driver); .ci/run installs them"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1200,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo")
    proc = subprocess.run(
        [sys.executable, "-m", "lagebild", "demo", "--out", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.slow
def test_demo_runs_every_step(demo: dict[str, Any]) -> None:
    steps = {s["step"]: s for s in demo["steps"]}
    assert list(steps) == [
        "ingest",
        "fact-checks",
        "claim matching",
        "coordination",
        "narratives",
        "spikes",
        "report",
    ]
    for name, step in steps.items():
        if name != "report":
            assert step["error"] is None, step
    assert Path(demo["report"]).exists()
    data = json.loads((Path(demo["report"]).parent / "report.json").read_text())
    assert data["narratives"] and data["claims"] and data["communities"] and data["spikes"]


@pytest.mark.slow
def test_demo_report_renders_in_chromium(demo: dict[str, Any]) -> None:
    browser = _browser_or_skip()
    try:
        browser.get(Path(demo["report"]).resolve().as_uri())
        assert browser.title.startswith("Lagebild situation report")
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        figures = browser.execute_script(
            "return [...document.querySelectorAll('figure svg')].map(s => {"
            "const r = s.getBoundingClientRect(); return [r.width, r.height,"
            " s.querySelectorAll('path, text, use').length]; })"
        )
        assert len(figures) >= 5
        for width, height, marks in figures:
            assert width > 200 and height > 100 and marks > 10
        broken = browser.execute_script(
            "return [...document.querySelectorAll('a[href^=\"#\"]')]"
            ".map(a => a.getAttribute('href').slice(1))"
            ".filter(id => !document.getElementById(id))"
        )
        assert broken == []
        external = browser.execute_script(
            "return [...document.querySelectorAll('a:not([href^=\"#\"])')].map(a => a.href)"
        )
        assert external and all(h.startswith(("http://", "https://")) for h in external)
        first = browser.execute_script(
            "const a = document.querySelector('a[href^=\"#c-\"]'); a.click();"
            "return a.getAttribute('href')"
        )
        assert browser.execute_script("return location.hash") == first
    finally:
        browser.quit()
    if demo["pdf"]:
        assert Path(demo["pdf"]).read_bytes()[:5] == b"%PDF-"


def test_rejected_matches_do_not_count_as_false_claims(tmp_path: Path, registry: Registry) -> None:
    from lagebild.claims.service import decide
    from lagebild.model import AccountRef, Finding, PostRef

    store = PostStore(tmp_path / "data")
    ingest(store, [EXAMPLES / "bluesky"], registry=registry, workers=1)
    rows = store.query("SELECT platform, post_id, account_id FROM posts LIMIT 3").to_pylist()
    now = dt.datetime.now(dt.UTC)
    store.add_findings(
        [
            Finding(
                kind="claim_match",
                id=f"m{i}",
                created_at=now,
                score=0.9,
                params={},
                posts=(PostRef(r["platform"], r["post_id"]),),
                accounts=(AccountRef(r["platform"], r["account_id"]),),
                summary="match",
                details={
                    "factcheck_id": "fc1",
                    "claim": "c",
                    "verdict": "false",
                    "decision": "auto",
                },
            )
            for i, r in enumerate(rows)
        ]
    )
    assert gather(store).claims[0]["posts"] == 3
    decide(store, "m0", "rejected", by="test")
    assert gather(store).claims[0]["posts"] == 2
