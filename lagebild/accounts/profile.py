"""One account at a glance, and the accounts ranked by one signal.

:func:`resolve_account` turns what a person types (a handle in any case, with or without ``@``,
or an account id) into the account's key, and says clearly when it is unknown or ambiguous.
:func:`account_profile` gathers everything about one account: each signal with its value,
unit, meaning and (when missing) why; its latest profile snapshot; the coordinated communities
it belongs to; and the state-media outlets its posts carried.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pyarrow as pa

from lagebild.accounts.catalog import SIGNALS
from lagebild.accounts.signals import CONTEXT, AccountParams, account_signals
from lagebild.accounts.statemedia import MediaList, load_media_list, state_media_posts
from lagebild.errors import ConfigError, NotFoundError
from lagebild.model import AccountRef
from lagebild.store import PostStore
from lagebild.store.sql import duckdb_connection

__all__ = ["SORTABLE", "account_profile", "resolve_account", "top_accounts"]

#: Columns ``top_accounts`` can sort by: every signal and the numeric context columns.
SORTABLE = (*(s.name for s in SIGNALS), "posts", "followers", "following", "state_media_posts")
_TIMING = ("interval_cv", "same_second_share", "same_minute_share", "night_share")
#: State-media posts shown as examples in a profile.
EXAMPLES = 10


def _empty_store_error() -> NotFoundError:
    return NotFoundError(
        "the store holds no accounts (no posts and no profiles)",
        hint="ingest data first: lagebild ingest FILE",
    )


def resolve_account(store: PostStore, handle_or_id: str, platform: str | None = None) -> AccountRef:
    """The account whose handle (case-insensitive, ``@`` optional) or id is ``handle_or_id``."""
    wanted = handle_or_id.strip()
    handle = wanted.lstrip("@").lower()
    rows = store.query(
        """SELECT DISTINCT platform, account_id, handle FROM (
             SELECT platform, account_id, handle FROM accounts
             UNION ALL SELECT platform, account_id, account_handle FROM posts)
           WHERE (lower(handle) = $1 OR account_id = $2) AND ($3 IS NULL OR platform = $3)
           ORDER BY platform, account_id, handle""",
        [handle, wanted, platform],
    ).to_pylist()
    found = {(r["platform"], r["account_id"]) for r in rows}
    if len(found) == 1:
        return AccountRef(*found.pop())
    if not found:
        if _store_is_empty(store):
            raise _empty_store_error()
        where = f" on {platform}" if platform else ""
        raise NotFoundError(
            f"no account with handle or id {wanted!r}{where}",
            hint="handles match in any case, ids exactly; see the accounts there are: "
            "lagebild accounts --top 20",
        )
    names: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        names.setdefault((r["platform"], r["account_id"]), set()).update(
            [r["handle"]] if r["handle"] else []
        )
    listed = "; ".join(
        f"{p}:{a}" + (f" (@{', @'.join(sorted(h))})" if h else "")
        for (p, a), h in sorted(names.items())
    )
    raise ConfigError(
        f"{wanted!r} names {len(found)} accounts: {listed}",
        hint="add --platform P, or give the account id instead of the handle",
    )


def _store_is_empty(store: PostStore) -> bool:
    counts = store.query(
        "SELECT (SELECT count(*) FROM posts) + (SELECT count(*) FROM accounts) AS n"
    ).column(0)
    return bool(counts[0].as_py() == 0)


def _missing_reason(name: str, row: dict[str, Any], params: AccountParams) -> str:
    """Why a signal of this account is NULL, as specifically as the row tells."""
    default = next(s.missing for s in SIGNALS if s.name == name)
    posts = row["posts"] or 0
    if name in _TIMING and posts < params.min_posts_timing:
        return f"only {posts} posts (fewer than min_posts_timing = {params.min_posts_timing})"
    if name == "night_share":
        if not row["region"]:
            return "no claimed region (no region:/country: label on the account)"
        if not row["timezone"]:
            return f"region {row['region']!r} is not in the timezone table (docs/accounts.md)"
    if name.startswith("handle_") and not row["handle"]:
        return "no handle is known"
    return default


def account_profile(
    store: PostStore,
    handle_or_id: str,
    *,
    platform: str | None = None,
    params: AccountParams | None = None,
    media: MediaList | None = None,
) -> dict[str, Any]:
    """Everything about one account: signals with explanations, profile, communities, media."""
    params = params or AccountParams()
    media = media or load_media_list(data_dir=store.data_dir)
    ref = resolve_account(store, handle_or_id, platform)
    row = account_signals(store, params, [ref], media).to_pylist()[0]
    signals = [
        {
            "name": s.name,
            "value": row[s.name],
            "unit": s.unit,
            "meaning": s.meaning,
            "why": s.why,
            "citation": s.citation or None,
            "missing": None if row[s.name] is not None else _missing_reason(s.name, row, params),
        }
        for s in SIGNALS
    ]
    keys = [ref.platform, ref.account_id]
    latest = store.query(
        "SELECT * EXCLUDE (_part) FROM accounts WHERE platform = $1 AND account_id = $2", keys
    ).to_pylist()
    found = store.query(
        """SELECT id, score, summary, details FROM findings
           WHERE kind = 'coordination_community'
             AND list_contains(accounts, struct_pack(platform := $1, account_id := $2))
           ORDER BY score DESC NULLS LAST, id""",
        keys,
    ).to_pylist()
    communities = []
    for f in found:
        details = json.loads(f["details"])
        communities.append(
            {
                "id": f["id"],
                "score": f["score"],
                "summary": f["summary"],
                **{k: details.get(k) for k in ("size", "p_value", "q_value", "first", "last")},
            }
        )
    hits = state_media_posts(store, media, min_chars=params.copied_min_chars, accounts=[ref])
    return {
        "platform": ref.platform,
        "account_id": ref.account_id,
        "handle": row["handle"],
        "context": {k: row[k] for k in CONTEXT[3:]},
        "signals": signals,
        "profile": latest[0] if latest else None,
        "communities": communities,
        "state_media": _media_summary(hits),
        "params": asdict(params),
        "media_lists": list(media.files),
    }


def _media_summary(hits: pa.Table) -> dict[str, Any]:
    outlets: dict[tuple[str, str, str], int] = {}
    for h in hits.select(["outlet", "domain", "how"]).to_pylist():
        key = (h["outlet"], h["domain"], h["how"])
        outlets[key] = outlets.get(key, 0) + 1
    return {
        "posts": len(set(hits.column("post_id").to_pylist())),
        "outlets": [
            {"outlet": o, "domain": d, "how": how, "posts": n}
            for (o, d, how), n in sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "examples": hits.slice(0, EXAMPLES).to_pylist(),
    }


def top_accounts(
    store: PostStore,
    sort: str,
    *,
    n: int = 20,
    ascending: bool = False,
    platform: str | None = None,
    params: AccountParams | None = None,
    media: MediaList | None = None,
) -> pa.Table:
    """The ``n`` accounts ranked by one signal (missing values last), with all their signals."""
    if sort not in SORTABLE:
        raise ConfigError(f"cannot sort by {sort!r}", hint=f"use one of: {', '.join(SORTABLE)}")
    if n < 1:
        raise ConfigError(f"the number of accounts must be at least 1, got {n}")
    if _store_is_empty(store):
        raise _empty_store_error()
    table = account_signals(store, params, None, media)
    con = duckdb_connection()
    try:
        con.register("ranked", table)
        return con.sql(
            f"SELECT * FROM ranked WHERE $1 IS NULL OR platform = $1 ORDER BY {sort} "
            f"{'ASC' if ascending else 'DESC'} NULLS LAST, platform, account_id LIMIT {int(n)}",
            params=[platform],
        ).to_arrow_table()
    finally:
        con.close()
