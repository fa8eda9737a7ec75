"""``--compat cnt``: the edges of coordination-network-toolkit 1.5.2, without its bugs.

The toolkit (QUT Digital Media Research Centre) computes directed networks with SQLite:

* ``co_link`` (``--by url``), ``co_retweet`` (``--by repost``), ``co_tweet`` (``--by text``)
  and ``co_similar_tweet`` (``--by similar_text``);
* two posts by different accounts match when they carry the same object and their times differ
  by at most ``window`` seconds, in either direction (``|Δt| ≤ window``, inclusive);
* the weight of the directed edge *u1 → u2* is the number of distinct posts of *u1* that have at
  least one match by *u2* (so the two directions can differ); edges lighter than
  ``min_edge_weight`` (the toolkit's default 2; here ``min_participation``) are dropped, each
  direction on its own;
* ``co_link`` ignores reposts (the toolkit stores no URLs for them), ``co_tweet`` and
  ``co_similar_tweet`` compare only posts that are not reposts;
* ``co_tweet``: texts equal after lower-casing, deleting every ``@…`` run up to the next
  whitespace (mentions) and collapsing whitespace;
* ``co_similar_tweet``: Jaccard similarity of the two sets of tokens (words and punctuation
  runs, after the same mention removal) at least ``similarity`` (the toolkit's CLI default
  0.8), texts with no token never match.

Deliberate differences, each a bug of the toolkit that this mode does not reproduce:

* **Empty URLs.** The toolkit reads a post's URL cell with ``split(" ")``, so a post without
  any link gets the URL ``""`` and every two link-less posts within the window "co-link" (on
  100k generated posts in one day: 430,294 co_link edges instead of 4,462). Here a post without
  links has no URL object.
* **Empty texts.** Posts whose text is empty, or only mentions, all "co-tweet" with each other
  in the toolkit; here they have no text object.
* **Self-loops.** The toolkit matches every post with itself and stores *u → u* edges (dropped
  on export unless asked for); here an account is never linked to itself.
* URLs are the normalised ones of the store (scheme, ``www.``, tracking parameters), where the
  toolkit compares raw strings; word boundaries follow ``[\\pL\\pN_]`` runs (with inner ``'``,
  ``.`` and ``_`` kept inside a word) where the toolkit uses the Unicode word-break rules — the
  same tokens for ordinary text, possibly different ones for exotic scripts and punctuation.
* ``co_similar_tweet`` compares every pair of posts within the window in Python; here prefix
  filtering picks the candidates (exact: no pair at or above the threshold is missed, see
  :mod:`lagebild.coordination.kinds`) and each is verified on the exact Jaccard similarity.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import duckdb

from lagebild.coordination.communities import find_communities
from lagebild.coordination.kinds import (
    documents_sql,
    jaccard_at_least,
    platform_filter,
    prefix_filter_sql,
)
from lagebild.errors import ConfigError

if TYPE_CHECKING:
    from lagebild.coordination.detect import CoordinationParams, CoordinationResult

__all__ = ["CNT_KINDS", "cnt_pairs_sql", "cnt_shares_sql", "detect_cnt"]

#: Lagebild kinds and the toolkit's network names.
CNT_KINDS = {
    "url": "co_link",
    "repost": "co_retweet",
    "text": "co_tweet",
    "similar_text": "co_similar_tweet",
}

_CLEAN = (
    r"CASE WHEN contains(text, '@') THEN regexp_replace(lower(text), '@\S*', '', 'g') "
    "ELSE lower(text) END"
)
#: Tokens of a cleaned text: words (with an inner ' or .) and single punctuation characters.
_TOKEN = r"'[\pL\pN_]+(?:[''.][\pL\pN_]+)*|[^\pL\pN_\s]'"


def cnt_shares_sql(
    kind: str, platforms: tuple[str, ...], similarity: float = 0.8
) -> tuple[str, bool]:
    """Share rows (object_id, key, account_id, platform, post_id, ts, sig); near matches?"""
    if kind not in CNT_KINDS:
        raise ConfigError(
            f"--compat cnt has no network for --by {kind}",
            hint=f"use --by {' / '.join(CNT_KINDS)} (co_link, co_retweet, co_tweet, "
            "co_similar_tweet)",
        )
    where = platform_filter(platforms)
    base = _posts(platforms)
    if kind == "url":
        return (
            "SELECT DISTINCT object_id, object_id AS key, account_id, platform, post_id, ts, "
            f"NULL::UBIGINT[] AS sig FROM (SELECT unnest(urls) AS object_id, {base} "
            "AND repost_of IS NULL)",
            False,
        )
    if kind == "repost":
        return (
            "SELECT repost_of AS object_id, repost_of AS key, account_id, platform, post_id, "
            f"epoch(created_at) AS ts, NULL::UBIGINT[] AS sig FROM posts WHERE {where} "
            "AND repost_of IS NOT NULL",
            False,
        )
    if kind == "text":
        return (
            "SELECT object_id, object_id AS key, account_id, platform, post_id, ts, "
            r"NULL::UBIGINT[] AS sig FROM (SELECT CASE WHEN regexp_matches(c, '\s\s|[^\S ]') "
            r"THEN trim(regexp_replace(c, '\s+', ' ', 'g')) ELSE c END AS object_id, "
            "* EXCLUDE (c) "
            f"FROM (SELECT trim({_CLEAN}) AS c, {base} AND repost_of IS NULL "
            "AND text IS NOT NULL)) WHERE object_id <> ''",
            False,
        )
    return prefix_filter_sql(_DOCS, similarity), True


def _posts(platforms: tuple[str, ...]) -> str:
    """SQL: the columns every share row takes from a post, from the posts of ``platforms``
    (a query's caller adds its own conditions with ``AND``)."""
    return (
        "account_id, platform, post_id, epoch(created_at) AS ts FROM posts "
        f"WHERE {platform_filter(platforms)}"
    )


#: The documents of ``co_similar_tweet`` (see :func:`cnt_documents_sql`).
_DOCS = "cnt_docs"


def cnt_documents_sql(platforms: tuple[str, ...]) -> tuple[str, ...]:
    """Statements that write the documents ``co_similar_tweet`` compares (its share rows
    point to them by number)."""
    base = _posts(platforms)
    docs = f"""
      SELECT object_id, account_id, platform, post_id, ts,
        list_distinct(list_transform(regexp_extract_all(object_id, {_TOKEN}),
          lambda t: hash(t))) AS sig
      FROM (SELECT {_CLEAN} AS object_id, {base} AND repost_of IS NULL AND text IS NOT NULL)
    """
    return documents_sql(docs, _DOCS)


def cnt_pairs_sql(kind: str, platforms: tuple[str, ...], window: float, similarity: float) -> str:
    """Every match (both directions) of one network, with the toolkit's semantics."""
    shares, near = cnt_shares_sql(kind, platforms, similarity)
    w = float(window)
    joins = " UNION ALL ".join(
        f"""SELECT a.object_id, a.account_id, a.platform, a.post_id, a.ts,
              b.account_id AS account_id_y, b.platform AS platform_y, b.post_id AS post_id_y,
              b.ts AS ts_y{", b.object_id AS object_id_y" if near else ""}
            FROM s a JOIN s b ON a.key = b.key AND b.bucket = a.bucket + ({d})
            WHERE a.account_id <> b.account_id AND abs(b.ts - a.ts) <= {w}"""
        for d in (-1, 0, 1)
    )
    # pairs of exact kinds come once per object; near ones once per shared prefix token
    matches = f"SELECT {'DISTINCT' if near else ''} '{kind}' AS kind, * FROM ({joins})"
    if near:
        # candidates meet on several prefix tokens: distinct first, then verify each pair once
        # (the share rows' object_id is a document's number: the pairs report its text)
        matches = f"""
          SELECT m.* EXCLUDE (object_id_y) REPLACE (a.object_id AS object_id) FROM ({matches}) m
          JOIN {_DOCS} a ON a.doc = m.object_id
          JOIN {_DOCS} b ON b.doc = m.object_id_y
          WHERE {jaccard_at_least(similarity)}"""
    return f"""
      WITH shares AS MATERIALIZED ({shares}),
      s AS MATERIALIZED (SELECT object_id, key, account_id, platform, post_id, ts,
                           floor(ts / {w})::BIGINT AS bucket FROM shares)
      {matches}
    """


def detect_cnt(con: duckdb.DuckDBPyConnection, params: CoordinationParams) -> CoordinationResult:
    """The toolkit's directed networks over the ``posts`` view of ``con`` (see module doc).

    ``edges`` holds every directed edge (``account_id_x`` → ``account_id_y``, per ``kind``, with
    the toolkit's ``edge_type``), ``filtered_edges`` those of weight ≥ ``min_participation``;
    ``pairs`` the matches, once per pair of posts; communities come from the filtered edges
    taken as undirected (weights of both directions and all kinds added).
    """
    from lagebild.coordination.detect import CoordinationResult, account_count, check_data
    from lagebild.coordination.window import estimate_window

    params.check()
    for kind in params.by:
        cnt_shares_sql(kind, params.platforms)
    started = time.perf_counter()
    check_data(con, params)
    window = params.window if params.window is not None else estimate_window(con, params)
    if "similar_text" in params.by:
        for statement in cnt_documents_sql(params.platforms):
            con.execute(statement)
    union = " UNION ALL ".join(
        f"({cnt_pairs_sql(k, params.platforms, window, params.similarity)})" for k in params.by
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE cnt_matches AS {union}")
    names = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in CNT_KINDS.items())
    con.execute(
        "CREATE OR REPLACE TEMP TABLE coord_edges AS SELECT account_id AS account_id_x, "
        f"account_id_y, kind, CASE kind {names} END AS edge_type, "
        "count(DISTINCT (platform, post_id)) AS weight FROM cnt_matches GROUP BY ALL"
    )
    mp = int(params.min_participation)
    pairs = con.sql(
        "SELECT kind, object_id, account_id, account_id_y, platform, post_id AS content_id, "
        "platform_y, post_id_y AS content_id_y, ts, ts_y, ts_y - ts AS time_delta "
        "FROM cnt_matches WHERE ts < ts_y OR (ts = ts_y AND (platform < platform_y OR "
        "(platform = platform_y AND post_id < post_id_y))) "
        "ORDER BY kind, object_id, platform, content_id, platform_y, content_id_y"
    ).to_arrow_table()
    edges = con.sql("SELECT * FROM coord_edges ORDER BY 1, 2, 3").to_arrow_table()
    filtered = con.sql(
        f"SELECT * FROM coord_edges WHERE weight >= {mp} ORDER BY 1, 2, 3"
    ).to_arrow_table()
    undirected = con.sql(
        "SELECT least(account_id_x, account_id_y) AS account_id_x, "
        "greatest(account_id_x, account_id_y) AS account_id_y, sum(weight) AS weight "
        f"FROM coord_edges WHERE weight >= {mp} GROUP BY 1, 2 ORDER BY 1, 2"
    ).to_arrow_table()
    communities = find_communities(undirected, seed=params.seed)
    counts = {
        "pairs": pairs.num_rows,
        "objects": con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT kind, object_id FROM cnt_matches)"
        ).fetchall()[0][0],
        "accounts": account_count(edges),
        "edges": edges.num_rows,
        "filtered_edges": filtered.num_rows,
        "filtered_accounts": account_count(filtered),
        "components": len({c.component for c in communities}),
    }
    return CoordinationResult(
        params,
        window,
        pairs,
        edges,
        float(mp),
        filtered,
        time.perf_counter() - started,
        counts,
        communities,
    )
