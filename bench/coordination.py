"""Coordination benchmark, part 1: parity and speed against CooRTweet 2.1.3.

    python -m bench.coordination

Ingests ``../shared/data/coortweet/german_elections.parquet`` into a fresh store, runs the six
reference runs of its README with ``detect``, compares the pairs and the full and
filtered edge lists with CooRTweet's outputs (as unordered pairs with the same weights), and
prints one row per run with the time each took here next to CooRTweet's CPU time.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from lagebild.coordination import CoordinationParams, CoordinationResult, detect
from lagebild.ingest.pipeline import ingest
from lagebild.plugins import load_registry
from lagebild.store import PostStore

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "coortweet"
RUNS = [
    ("fb_urls_tw60_mp2_ew0.5", ("url",), 60, 0.5, ("facebook",)),
    ("urls_tw30_mp2_ew0.25", ("url",), 30, 0.25, ()),
    ("domains_tw30_mp2_ew0.25", ("domain",), 30, 0.25, ()),
    ("hashtags_tw30_mp2_ew0.25", ("hashtag",), 30, 0.25, ()),
    ("images_tw30_mp2_ew0.25", ("image",), 30, 0.25, ()),
    ("combined4_tw30_mp2_ew0.5", ("url", "domain", "hashtag", "image"), 30, 0.5, ()),
]
_AS_REFERENCE = (
    "CASE WHEN kind = 'domain' THEN replace(object_id, 'domain_', 'url_') "
    "WHEN kind = 'image' THEN replace(object_id, 'phashid:', 'hash_') ELSE object_id END"
)


def main() -> None:
    """Run the six reference runs and print the parity and speed table."""
    if not DATA.is_dir():
        sys.exit(f"needs {DATA} (the shared data folder)")
    ref = DATA / "reference_outputs"
    summary = json.loads((ref / "summary.json").read_text())
    console = Console(width=150)
    with tempfile.TemporaryDirectory() as tmp:
        store = PostStore(Path(tmp))
        t0 = time.perf_counter()
        ingest(store, [DATA / "german_elections.parquet"], registry=load_registry())
        console.print(f"ingested the German-election data in {time.perf_counter() - t0:.1f} s")
        con = store.connect()
        table = Table(title="CooRTweet 2.1.3 parity and speed (German election 2021 data)")
        for col in (
            "run",
            "pairs",
            "edges",
            "filtered edges",
            "identical to CooRTweet",
            "seconds here",
            "CooRTweet CPU s",
        ):
            table.add_column(col, justify="left" if col == "run" else "right")
        total = 0.0
        for name, by, window, quantile, platforms in RUNS:
            params = CoordinationParams(
                by=by,
                window=window,
                min_participation=2,
                edge_quantile=quantile,
                platforms=platforms,
            )
            t = time.perf_counter()
            result = detect(con, params)
            seconds = time.perf_counter() - t
            total += seconds
            same = identical(con, result, ref, name)
            cpu = summary.get(name, {}).get("cpu_detect_groups")
            table.add_row(
                name,
                f"{result.counts['pairs']:,}",
                f"{result.counts['edges']:,}",
                f"{result.counts['filtered_edges']:,}",
                "yes" if same else "NO",
                f"{seconds:.2f}",
                f"{cpu:.1f}" if cpu else "–",
            )
        table.add_row("all six", "", "", "", "", f"{total:.2f}", "")
        console.print(table)


def identical(
    con: duckdb.DuckDBPyConnection, result: CoordinationResult, ref: Path, name: str
) -> bool:
    """Whether pairs, full edges and filtered edges equal CooRTweet's reference outputs."""
    con.register("mine", result.pairs)
    con.register("e_full", result.edges)
    con.register("e_sub", result.filtered_edges)
    checks = [
        f"""SELECT count(*) FROM (
              (SELECT {_AS_REFERENCE}, least(content_id::BIGINT, content_id_y::BIGINT),
                  greatest(content_id::BIGINT, content_id_y::BIGINT) FROM mine
               EXCEPT ALL SELECT object_id, least(content_id, content_id_y),
                  greatest(content_id, content_id_y) FROM '{ref}/detect_groups_{name}.csv')
              UNION ALL
              (SELECT object_id, least(content_id, content_id_y),
                  greatest(content_id, content_id_y) FROM '{ref}/detect_groups_{name}.csv'
               EXCEPT ALL SELECT {_AS_REFERENCE}, least(content_id::BIGINT,
                  content_id_y::BIGINT), greatest(content_id::BIGINT, content_id_y::BIGINT)
                  FROM mine))"""
    ]
    for mine, kind in (("e_full", "full"), ("e_sub", "subgraph1")):
        r = (
            f"SELECT least(account_id_x, account_id_y), greatest(account_id_x, account_id_y), "
            f"weight FROM '{ref}/edges_{kind}_{name}.csv'"
        )
        m = f"SELECT account_id_x, account_id_y, weight FROM {mine}"
        checks.append(f"SELECT count(*) FROM (({m} EXCEPT ALL {r}) UNION ALL ({r} EXCEPT ALL {m}))")
    return all(con.execute(q).fetchall()[0][0] == 0 for q in checks)


if __name__ == "__main__":
    main()
