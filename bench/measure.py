"""Measuring: the peak resident memory of a child's process tree, and the machine's pace."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import psutil

__all__ = ["machine_pace", "wait_peak_rss"]


def wait_peak_rss(proc: subprocess.Popen[Any], every: float = 0.05) -> int:
    """Wait for ``proc`` to end; the peak resident bytes of it and its children, sampled."""
    peak = 0
    watched = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass
        time.sleep(every)
    return peak


def machine_pace(repeat: int = 3) -> dict[str, float]:
    """Seconds of two fixed workloads (best of ``repeat``): a Python loop on one core and a
    DuckDB aggregation on every core.

    This machine's speed moves by up to 60 % from hour to hour. Printed beside a benchmark's
    figures, the pace tells a fast hour from faster code: figures of two runs compare
    only when their paces are alike.
    """
    import duckdb

    def python_loop() -> None:
        total = 0
        for i in range(10_000_000):
            total += i * i % 7

    con = duckdb.connect()
    try:
        out = {}
        for name, work in (
            ("python", python_loop),
            (
                "duckdb",
                lambda: con.execute(
                    "SELECT sum(hash(i::VARCHAR || 'x')) FROM range(20000000) t(i)"
                ).fetchall(),
            ),
        ):
            best = float("inf")
            for _ in range(repeat):
                t0 = time.perf_counter()
                work()
                best = min(best, time.perf_counter() - t0)
            out[name] = best
    finally:
        con.close()
    return out
