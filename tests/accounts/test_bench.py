"""The statistics of ``bench/accounts_ira.py``, and the measure on real IRA data."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from bench.accounts_ira import (
    balanced_accuracy,
    chi2_sf,
    eta_squared,
    kruskal_wallis,
    run,
)


def test_chi2_tail_at_known_quantiles() -> None:
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-9)
    assert chi2_sf(5.991464547107979, 2) == pytest.approx(0.05, rel=1e-9)
    assert chi2_sf(29.58829844507442, 10) == pytest.approx(0.001, rel=1e-9)
    assert chi2_sf(0.0, 3) == 1.0


def test_kruskal_wallis_by_hand() -> None:
    # three groups without ties: ranks 1-3, 4-6, 7-9 -> H = 12/90 * (36+225+576)/3 - 30 = 7.2
    x = np.arange(9, dtype=float)
    groups = np.array(list("aaabbbccc"))
    h, k, n = kruskal_wallis(x, groups)
    assert h == pytest.approx(7.2)
    assert (k, n) == (3, 9)
    assert eta_squared(h, k, n) == pytest.approx((7.2 - 2) / 6)
    shuffled = np.array(list("abcabcabc"))
    assert kruskal_wallis(x, shuffled)[0] < 1.0
    tied = np.array([1.0, 1.0, 1.0, 2.0, 2.0, 2.0])
    assert kruskal_wallis(tied, np.array(list("aaabbb")))[0] == pytest.approx(5.0)


def test_balanced_accuracy_weighs_classes_equally() -> None:
    y = np.array(["a"] * 8 + ["b"] * 2)
    assert balanced_accuracy(y, np.array(["a"] * 10), np.array(["a", "b"])) == 0.5


@pytest.mark.shared_data
def test_signals_separate_ira_categories_better_than_chance(
    shared_data: Path, tmp_path: Path
) -> None:
    args = argparse.Namespace(
        limit=100_000,
        store=tmp_path / "data",
        folds=5,
        min_class=10,
        permutations=20,
        seed=0,
        coordination=False,
        null_runs=0,
        json=None,
    )
    results = run(args, Console(file=io.StringIO()), tmp_path)
    chance = results["classifiers"]["chance"]
    centroid = results["classifiers"]["nearest centroid, all signals"]
    assert len(results["categories"]) >= 3
    assert centroid["balanced_accuracy"] > chance + 0.15
    assert results["classifiers"]["permutation_p"] < 0.1
    effects = {e["signal"]: e for e in results["signals"]}
    assert effects["posts_per_active_day"]["p"] < 1e-4
    assert effects["repost_share"]["p"] < 0.01
