"""The proof behind each coordinated community, as findings a person can read and act on.

For each community of the filtered network: its accounts and platforms, the time span of its
coordinated shares, the objects and domains it pushed most, the share of its members' posts
that were coordinated, its score and significance, its edges, and the evidence pairs (which
posts, by whom, when, how many seconds apart) on those edges. These become findings of kind
``coordination_community`` in the common envelope, written to the store, so the evidence can
be looked at later (``lagebild findings``) without rerunning the detector.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import duckdb
import pyarrow as pa

from lagebild.coordination.detect import CoordinationResult
from lagebild.model import AccountRef, Finding, PostRef

__all__ = ["FINDING_KIND", "MAX_PAIRS", "community_findings"]

FINDING_KIND = "coordination_community"
#: Evidence pairs kept per edge in a finding (all of them are in ``--out``'s pairs.csv).
MAX_PAIRS = 100
TOP = 10


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> dict[int, list[dict[str, Any]]]:
    table = con.sql(sql).to_arrow_table()
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in table.to_pylist():
        grouped.setdefault(row.pop("community"), []).append(row)
    return grouped


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


def community_findings(con: duckdb.DuckDBPyConnection, result: CoordinationResult) -> list[Finding]:
    """One finding per community, with its summary and evidence (``posts`` view in ``con``)."""
    if not result.communities:
        return []
    con.register(
        "coord_members",
        pa.table(
            {
                "account_id": [a for c in result.communities for a in c.accounts],
                "community": [c.id for c in result.communities for _ in c.accounts],
            }
        ),
    )
    con.register("coord_kept_edges", result.filtered_edges)
    # ``--compat cnt`` edges are directed and per kind: evidence is on the account pair
    con.execute(
        "CREATE OR REPLACE TEMP TABLE coord_kept_keys AS SELECT DISTINCT "
        "least(account_id_x, account_id_y) AS account_id_x, "
        "greatest(account_id_x, account_id_y) AS account_id_y FROM coord_kept_edges"
    )
    con.register("coord_kept_pairs", result.pairs)
    try:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE coord_evidence AS
            SELECT m.community, p.* FROM coord_kept_pairs p
            JOIN coord_members m ON m.account_id = p.account_id
            JOIN coord_members m2 ON m2.account_id = p.account_id_y AND m2.community = m.community
            JOIN coord_kept_keys e
              ON e.account_id_x = least(p.account_id, p.account_id_y)
             AND e.account_id_y = greatest(p.account_id, p.account_id_y)"""
        )
        spans = _rows(
            con,
            "SELECT community, min(ts) AS first, max(ts_y) AS last, count(*) AS pairs, "
            "count(DISTINCT kind || ':' || object_id) AS objects, "
            "list(DISTINCT platform ORDER BY platform) AS platforms "
            "FROM coord_evidence GROUP BY community",
        )
        objects = _rows(
            con,
            f"""SELECT community, kind, object_id, pairs FROM (
              SELECT community, kind, object_id, count(*) AS pairs, row_number() OVER
                (PARTITION BY community ORDER BY count(*) DESC, kind, object_id) AS r
              FROM coord_evidence GROUP BY community, kind, object_id)
            WHERE r <= {TOP} ORDER BY community, r""",
        )
        coordinated = """
          SELECT community, platform, content_id AS post_id FROM coord_evidence
          UNION SELECT community, platform_y, content_id_y FROM coord_evidence"""
        domains = _rows(
            con,
            f"""SELECT community, domain, posts FROM (
              SELECT community, domain, count(*) AS posts, row_number() OVER
                (PARTITION BY community ORDER BY count(*) DESC, domain) AS r
              FROM (SELECT c.community, unnest(p.domains) AS domain FROM ({coordinated}) c
                    JOIN posts p USING (platform, post_id))
              GROUP BY community, domain)
            WHERE r <= {TOP} ORDER BY community, r""",
        )
        shares = _rows(
            con,
            f"""SELECT m.community, count(*) AS posts, count(c.post_id) AS coordinated
            FROM posts p JOIN coord_members m ON m.account_id = p.account_id
            LEFT JOIN (SELECT DISTINCT * FROM ({coordinated})) c ON c.community = m.community
              AND c.platform = p.platform AND c.post_id = p.post_id
            GROUP BY m.community""",
        )
        accounts = _rows(
            con,
            "SELECT DISTINCT m.community, p.platform, p.account_id FROM posts p "
            "JOIN coord_members m ON m.account_id = p.account_id",
        )
        edges = _rows(
            con,
            "SELECT mx.community, e.* FROM coord_kept_edges e "
            "JOIN coord_members mx ON mx.account_id = e.account_id_x "
            "JOIN coord_members my ON my.account_id = e.account_id_y "
            "AND my.community = mx.community ORDER BY e.weight DESC, 2, 3",
        )
        evidence = _rows(
            con,
            f"""SELECT community, kind, object_id, account_id, platform, content_id, ts,
                account_id_y, platform_y, content_id_y, ts_y, time_delta FROM (
              SELECT *, row_number() OVER (PARTITION BY least(account_id, account_id_y),
                greatest(account_id, account_id_y) ORDER BY ts, content_id, content_id_y) AS r
              FROM coord_evidence) WHERE r <= {MAX_PAIRS}
            ORDER BY community, ts, content_id, content_id_y""",
        )
    finally:
        for name in ("coord_members", "coord_kept_edges", "coord_kept_pairs"):
            con.unregister(name)
    params = {**result.summary()["params"], "window": result.window}
    created = dt.datetime.now(dt.UTC)
    findings = []
    for c in result.communities:
        span = spans.get(c.id, [{}])[0]
        share = shares.get(c.id, [{"posts": 0, "coordinated": 0}])[0]
        pairs = evidence.get(c.id, [])
        for pair in pairs:
            pair["time"], pair["time_y"] = _iso(pair.pop("ts")), _iso(pair.pop("ts_y"))
        details = {
            **c.as_dict(),
            "platforms": span.get("platforms", []),
            "first": _iso(span["first"]) if span else None,
            "last": _iso(span["last"]) if span else None,
            "pairs": span.get("pairs", 0),
            "objects": span.get("objects", 0),
            "top_objects": objects.get(c.id, []),
            "top_domains": domains.get(c.id, []),
            "posts": share["posts"],
            "coordinated_posts": share["coordinated"],
            "coordinated_share": share["coordinated"] / share["posts"] if share["posts"] else None,
            "edges": edges.get(c.id, []),
            "evidence": pairs,
            "evidence_per_edge_max": MAX_PAIRS,
        }
        refs = sorted(
            {PostRef(p["platform"], p["content_id"]) for p in pairs}
            | {PostRef(p["platform_y"], p["content_id_y"]) for p in pairs}
        )
        key = json.dumps([params, list(c.accounts)], sort_keys=True, default=str)
        significance = "" if c.p_value is None else f"; p = {c.p_value:.3g}, q = {c.q_value:.3g}"
        findings.append(
            Finding(
                kind=FINDING_KIND,
                id=hashlib.sha256(key.encode()).hexdigest()[:16],
                created_at=created,
                score=c.score,
                params=params,
                posts=tuple(refs),
                accounts=tuple(
                    sorted(
                        AccountRef(a["platform"], a["account_id"]) for a in accounts.get(c.id, [])
                    )
                ),
                summary=(
                    f"{c.size} accounts ({', '.join(details['platforms'])}) acted on "
                    f"{details['objects']} objects within {result.window:g} s of each other "
                    f"{details['pairs']} times, {str(details['first'])[:10]} to "
                    f"{str(details['last'])[:10]}{significance}"
                ),
                details=details,
            )
        )
    return findings
