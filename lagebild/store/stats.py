"""Summaries of what a store holds: counts per platform, time span, quarantine reasons."""

from __future__ import annotations

from typing import Any

from lagebild.store.posts import PostStore

__all__ = ["quarantine_records", "quarantine_summary", "store_stats"]


def store_stats(store: PostStore) -> dict[str, Any]:
    """Posts and accounts per platform, the time span covered and the quarantine count."""
    con = store.connect()
    try:
        per_platform = con.execute(
            "SELECT platform, count(*) AS posts, count(DISTINCT account_id) AS posting_accounts, "
            "min(created_at) AS first, max(created_at) AS last, "
            "count(views) AS with_views FROM posts GROUP BY platform ORDER BY posts DESC"
        ).fetchall()
        profiles = dict(
            con.execute("SELECT platform, count(*) FROM accounts GROUP BY platform").fetchall()
        )
        row = con.execute("SELECT count(*), min(created_at), max(created_at) FROM posts").fetchone()
        total, first, last = row if row else (0, None, None)
        snapshots = _scalar(con.execute("SELECT count(*) FROM account_history").fetchone())
        quarantined = _scalar(con.execute("SELECT count(*) FROM quarantine").fetchone())
        findings = _scalar(con.execute("SELECT count(*) FROM findings").fetchone())
    finally:
        con.close()
    return {
        "data_dir": str(store.data_dir),
        "posts": total,
        "first": first.isoformat() if first else None,
        "last": last.isoformat() if last else None,
        "platforms": [
            {
                "platform": p,
                "posts": n,
                "posting_accounts": a,
                "account_profiles": profiles.get(p, 0),
                "first": f.isoformat(),
                "last": la.isoformat(),
                "posts_with_views": v,
            }
            for p, n, a, f, la, v in per_platform
        ],
        "account_profiles": sum(profiles.values()),
        "account_snapshots": snapshots,
        "quarantined": quarantined,
        "findings": findings,
    }


def _scalar(row: tuple[Any, ...] | None) -> int:
    return int(row[0]) if row else 0


def quarantine_summary(store: PostStore) -> list[dict[str, Any]]:
    """Quarantined records grouped by source file, format and reason."""
    con = store.connect()
    try:
        rows = con.execute(
            "SELECT source, format, reason, count(*) AS n, min(line) AS first_line "
            "FROM quarantine GROUP BY ALL ORDER BY n DESC, source, reason"
        ).fetchall()
    finally:
        con.close()
    return [
        {"source": s, "format": f, "reason": r, "count": n, "first_line": line}
        for s, f, r, n, line in rows
    ]


def quarantine_records(store: PostStore, limit: int = 100) -> list[dict[str, Any]]:
    """The quarantined records themselves (up to ``limit``), with their raw input."""
    con = store.connect()
    try:
        rel = con.execute(
            'SELECT source, line, "offset", pointer, format, reason, raw, quarantined_at '
            "FROM quarantine ORDER BY source, line NULLS LAST, pointer LIMIT ?",
            [limit],
        )
        names = [d[0] for d in rel.description or ()]
        rows = rel.fetchall()
    finally:
        con.close()
    out = [dict(zip(names, r, strict=True)) for r in rows]
    for rec in out:
        rec["quarantined_at"] = rec["quarantined_at"].isoformat()
    return out
