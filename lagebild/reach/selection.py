"""Which posts a reach figure is about: a claim, a narrative, a community, a query, a name.

A :class:`Selection` names a set of posts the way a team talks about them; resolving it gives
one SQL ``SELECT platform, post_id`` over the store (see :func:`resolve_selection`) and what
was decided on the way (matches rejected by a person, evidence posts of a community):

* ``claim``: the posts matched (``claim_match`` findings) to one fact-check, by its
  ``factcheck_id`` or by the id of one of its matches. A match a team member rejected (latest
  decision in ``<data_dir>/match_decisions``) does not count.
* ``narrative``: the posts ``narrative_posts`` assigns to the narrative.
* ``community``: the posts of the accounts of a ``coordination_community`` finding from its
  ``first`` to its ``last`` coordinated share, inclusive: what the network posted while it
  was seen acting together, not only the evidence pairs (their number is given alongside)
  and not the members' whole history.
* ``query``: one read-only ``SELECT`` returning ``platform, post_id``.
* ``account`` (handle or account id), ``hashtag``, ``domain``: plain filters on the posts.

An unknown id raises :class:`~lagebild.errors.NotFoundError`; a known one with no posts is an
empty selection, not an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from lagebild.claims.decisions import decision_parts, rejected_matches_sql
from lagebild.errors import ConfigError, NotFoundError, QueryError
from lagebild.store import PostStore

__all__ = [
    "SELECTION_KINDS",
    "ResolvedSelection",
    "Selection",
    "resolve_selection",
    "select_posts",
]

#: The kinds of selection, in the order the CLI lists them.
SELECTION_KINDS = ("claim", "narrative", "community", "query", "account", "hashtag", "domain")

CLAIM_KIND = "claim_match"
COMMUNITY_KIND = "coordination_community"
NARRATIVE_KIND = "narrative"


@dataclass(frozen=True)
class Selection:
    """A set of posts named by kind (one of :data:`SELECTION_KINDS`) and value."""

    kind: str
    value: str

    def __post_init__(self) -> None:
        if self.kind not in SELECTION_KINDS:
            raise ConfigError(
                f"unknown selection kind {self.kind!r}", hint=f"one of {', '.join(SELECTION_KINDS)}"
            )
        if not self.value.strip():
            raise ConfigError(f"the {self.kind} selection needs a value, got an empty one")


@dataclass(frozen=True)
class ResolvedSelection:
    """A selection turned into SQL over the store, with what resolving it found out.

    ``sql`` returns ``platform, post_id`` (possibly with duplicates or unknown posts) and takes
    ``params``; ``details`` holds JSON-able facts such as the fact-check id, matches rejected,
    or a community's window and evidence posts.
    """

    kind: str
    value: str
    label: str
    sql: str
    params: tuple[Any, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The selection for JSON (without its SQL unless it was a query)."""
        out: dict[str, Any] = {"kind": self.kind, "value": self.value, "label": self.label}
        out.update(self.details)
        return out


def resolve_selection(
    con: duckdb.DuckDBPyConnection, store: PostStore, selection: Selection
) -> ResolvedSelection:
    """The SQL of ``selection`` over ``con`` (a :meth:`PostStore.connect` connection)."""
    resolver = _RESOLVERS[selection.kind]
    return resolver(con, store, selection.value.strip())


def select_posts(store: PostStore, selection: Selection) -> pa.Table:
    """The ``platform, post_id`` of the stored posts in ``selection``, sorted, no duplicates."""
    con = store.connect()
    try:
        resolved = resolve_selection(con, store, selection)
        return con.sql(
            f"SELECT DISTINCT p.platform, p.post_id FROM posts p SEMI JOIN ({resolved.sql}\n) s "
            "ON p.platform = s.platform AND p.post_id = s.post_id ORDER BY 1, 2",
            params=list(resolved.params) or None,
        ).to_arrow_table()
    finally:
        con.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = con.sql(sql, params=params or None).to_arrow_table().to_pylist()
    return rows


def _rejected_sql(store: PostStore) -> str:
    """SQL of the claim-match finding ids whose latest decision is 'rejected'."""
    return f"SELECT finding_id FROM ({rejected_matches_sql(decision_parts(store.data_dir))})"


def _claim(con: duckdb.DuckDBPyConnection, store: PostStore, value: str) -> ResolvedSelection:
    factcheck_sql = "json_extract_string(details, '$.factcheck_id')"
    found = _rows(
        con,
        f"SELECT {factcheck_sql} AS factcheck_id, id = ? AS by_finding FROM findings "
        f"WHERE kind = ? AND (id = ? OR {factcheck_sql} = ?) ORDER BY by_finding DESC LIMIT 1",
        [value, CLAIM_KIND, value, value],
    )
    if found:
        factcheck_id = found[0]["factcheck_id"]
    else:
        from lagebild.claims.store import FactCheckStore  # heavy import, only when needed

        if FactCheckStore(store.data_dir).get(value) is None:
            raise NotFoundError(
                f"no fact-check or claim match with id {value!r}",
                hint="list matches: lagebild findings --kind claim_match; "
                "fact-checks: lagebild factchecks list",
            )
        factcheck_id = value
    matches = f"""SELECT id, ref.platform AS platform, ref.post_id AS post_id FROM (
        SELECT id, unnest(posts) AS ref FROM findings
        WHERE kind = '{CLAIM_KIND}' AND {factcheck_sql} = ?)"""
    counts = _rows(
        con,
        f"SELECT count(*) AS matches, count(*) FILTER (id IN ({_rejected_sql(store)})) AS rejected "
        f"FROM ({matches})",
        [factcheck_id],
    )[0]
    claim = _rows(
        con,
        "SELECT json_extract_string(details, '$.claim') AS claim, "
        "json_extract_string(details, '$.verdict') AS verdict FROM findings "
        f"WHERE kind = ? AND {factcheck_sql} = ? LIMIT 1",
        [CLAIM_KIND, factcheck_id],
    )
    details: dict[str, Any] = {
        "factcheck_id": factcheck_id,
        "matches": counts["matches"],
        "rejected_matches": counts["rejected"],
    }
    if claim:
        details.update(claim[0])
    text = f": “{_short(claim[0]['claim'])}”" if claim and claim[0]["claim"] else ""
    return ResolvedSelection(
        kind="claim",
        value=value,
        label=f"posts matched to fact-check {factcheck_id}{text}",
        sql=f"SELECT platform, post_id FROM ({matches}) WHERE id NOT IN ({_rejected_sql(store)})",
        params=(factcheck_id,),
        details=details,
    )


def _narrative(con: duckdb.DuckDBPyConnection, store: PostStore, value: str) -> ResolvedSelection:
    found = _rows(
        con,
        "SELECT (SELECT count(*) FROM narrative_posts WHERE narrative_id = ?) AS assigned, "
        "(SELECT list(DISTINCT model_id) FROM narrative_posts WHERE narrative_id = ?) AS models, "
        "(SELECT any_value(CAST(json_extract(details, '$.terms') AS VARCHAR[])) "
        "FROM findings WHERE kind = ? AND id = ?) AS terms, "
        "(SELECT count(*) FROM findings WHERE kind = ? AND id = ?) AS findings",
        [value, value, NARRATIVE_KIND, value, NARRATIVE_KIND, value],
    )[0]
    if not found["assigned"] and not found["findings"]:
        raise NotFoundError(
            f"no narrative with id {value!r}",
            hint="list them: lagebild narratives, or lagebild findings --kind narrative",
        )
    terms = (found["terms"] or [])[:5]
    return ResolvedSelection(
        kind="narrative",
        value=value,
        label=f"posts of narrative {value}" + (f" “{' · '.join(terms)}”" if terms else ""),
        sql="SELECT platform, post_id FROM narrative_posts WHERE narrative_id = ?",
        params=(value,),
        details={"narrative_id": value, "models": sorted(found["models"] or [])},
    )


def _community(con: duckdb.DuckDBPyConnection, store: PostStore, value: str) -> ResolvedSelection:
    found = _rows(
        con,
        "SELECT len(accounts) AS accounts, len(posts) AS evidence_posts, "
        "json_extract_string(details, '$.first') AS first, "
        "json_extract_string(details, '$.last') AS last FROM findings WHERE kind = ? AND id = ?",
        [COMMUNITY_KIND, value],
    )
    if not found:
        raise NotFoundError(
            f"no coordinated community with id {value!r}",
            hint="list them: lagebild findings --kind coordination_community",
        )
    info = found[0]
    sql = f"""SELECT p.platform, p.post_id FROM (
          SELECT a.platform, a.account_id, CAST(first AS TIMESTAMPTZ) AS first,
                 CAST(last AS TIMESTAMPTZ) AS last FROM (
            SELECT unnest(accounts) AS a, json_extract_string(details, '$.first') AS first,
                   json_extract_string(details, '$.last') AS last
            FROM findings WHERE kind = '{COMMUNITY_KIND}' AND id = ?)) c
        JOIN posts p ON p.platform = c.platform AND p.account_id = c.account_id
         AND (c.first IS NULL OR p.created_at >= c.first)
         AND (c.last IS NULL OR p.created_at <= c.last)"""
    span = f"{(info['first'] or '…')[:19]} to {(info['last'] or '…')[:19]}"
    return ResolvedSelection(
        kind="community",
        value=value,
        label=f"posts of the {info['accounts']} accounts of community {value}, {span}",
        sql=sql,
        params=(value,),
        details={
            "community_id": value,
            "accounts": info["accounts"],
            "first": info["first"],
            "last": info["last"],
            "evidence_posts": info["evidence_posts"],
            "window": "the members' posts from the community's first to last coordinated "
            "share, inclusive",
        },
    )


def _query(con: duckdb.DuckDBPyConnection, store: PostStore, value: str) -> ResolvedSelection:
    try:
        statements = con.extract_statements(value)
    except duckdb.Error as exc:
        raise QueryError(f"--query is not valid SQL: {exc}") from exc
    if len(statements) != 1:
        raise QueryError(
            f"--query must be exactly one SQL statement, got {len(statements)}",
            hint="write one SELECT platform, post_id FROM posts WHERE ...",
        )
    if statements[0].type != duckdb.StatementType.SELECT:
        raise QueryError(
            f"--query must be a read-only SELECT, got a {statements[0].type.name} statement",
            hint="write SELECT platform, post_id FROM posts WHERE ...",
        )
    sql = statements[0].query.strip().rstrip(";").strip()
    try:
        columns = con.sql(sql).columns
    except duckdb.Error as exc:
        raise QueryError(f"--query failed: {exc}") from exc
    lacking = [c for c in ("platform", "post_id") if c not in columns]
    if lacking:
        raise QueryError(
            f"--query must return the columns platform and post_id; it lacks {', '.join(lacking)}"
            f" (it returns {', '.join(columns)})",
            hint="e.g. SELECT platform, post_id FROM posts WHERE text ILIKE '%briefwahl%'",
        )
    return ResolvedSelection(
        kind="query",
        value=value,
        label=f"posts returned by the query {_short(sql, 80)}",
        sql=f"SELECT platform, post_id FROM (\n{sql}\n)",
        details={"sql": sql},
    )


def _account(con: duckdb.DuckDBPyConnection, store: PostStore, value: str) -> ResolvedSelection:
    handle = value.removeprefix("@")
    sql = (
        "SELECT platform, post_id FROM posts "
        "WHERE lower(account_handle) = lower(?) OR account_id = ?"
    )
    n = _rows(con, f"SELECT count(*) AS n FROM ({sql})", [handle, handle])[0]["n"]
    if not n:
        raise NotFoundError(
            f"no posts by an account with handle or id {value!r}",
            hint='check the spelling; list accounts: lagebild sql "SELECT DISTINCT platform, '
            'account_handle FROM posts"',
        )
    return ResolvedSelection(
        kind="account",
        value=value,
        label=f"posts of account {handle}",
        sql=sql,
        params=(handle, handle),
        details={"account": handle},
    )


def _hashtag(con: duckdb.DuckDBPyConnection, store: PostStore, value: str) -> ResolvedSelection:
    tag = value.removeprefix("#").lower()
    return ResolvedSelection(
        kind="hashtag",
        value=value,
        label=f"posts with #{tag}",
        sql="SELECT platform, post_id FROM posts WHERE list_contains(hashtags, ?)",
        params=(tag,),
        details={"hashtag": tag},
    )


def _domain(con: duckdb.DuckDBPyConnection, store: PostStore, value: str) -> ResolvedSelection:
    domain = value.lower().removeprefix("https://").removeprefix("http://")
    domain = domain.split("/")[0].removeprefix("www.")
    return ResolvedSelection(
        kind="domain",
        value=value,
        label=f"posts linking to {domain}",
        sql="SELECT platform, post_id FROM posts WHERE list_contains(domains, ?)",
        params=(domain,),
        details={"domain": domain},
    )


def _short(text: str, n: int = 100) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


_RESOLVERS = {
    "claim": _claim,
    "narrative": _narrative,
    "community": _community,
    "query": _query,
    "account": _account,
    "hashtag": _hashtag,
    "domain": _domain,
}
