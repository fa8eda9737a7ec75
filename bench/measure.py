"""Measuring a child process: the peak resident memory of its whole process tree."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import psutil

__all__ = ["wait_peak_rss"]


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
