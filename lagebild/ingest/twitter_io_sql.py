"""The columnar path of the information-operations archive reader (see ``columnar.py``).

:func:`lagebild.ingest.twitter_io.normalize` and ``normalize_account`` written as SQL for the
rows the SQL is sure about; every other row is read by those Python functions.
``tests/ingest/test_columnar.py`` checks that both paths agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lagebild.ingest import twitter_io
from lagebild.ingest.base import Batch, Item, ReadOptions, Where
from lagebild.ingest.columnar import ColumnarInput, run_columnar
from lagebild.ingest.sql_rules import (
    all_stripped,
    entity_sql,
    ident,
    list_cell,
    lower_sure,
    quote,
    time_sql,
    uniq,
)

__all__ = ["read_tables"]

_TRUE = "('true', '1', 'yes', 't', 'y')"
_COUNTS = {
    "views": "impression_count",
    "likes": "like_count",
    "reposts": "retweet_count",
    "replies": "reply_count",
    "quotes": "quote_count",
}


def _mapped_sql(inp: ColumnarInput) -> str:
    checks: list[str] = []
    read: list[str] = []  # every cell read: checked together (all_stripped)

    def cell(column: str) -> str:
        """A cell as read (NULL when the file has no such column).

        A row where a cell read has white space at its edges or is an absent marker
        (``twitter_io._cell``) goes to Python, so a cell the SQL reads is already clean.
        """
        if column not in inp.columns:
            return "NULL::VARCHAR"
        if ident(column) not in read:
            read.append(ident(column))
        return ident(column)

    computed: dict[str, str] = {}

    def once(expr: str) -> str:
        """``expr`` computed once per row, in the inner query."""
        return computed.setdefault(expr, f"__e{len(computed)}")

    def tweet_id(column: str) -> str:
        c = cell(column)
        checks.append(f"({c} IS NULL OR regexp_full_match({c}, '[0-9A-Za-z_]+|[0-9]+\\.0'))")
        return (
            f"(CASE WHEN {c} = '0' THEN NULL WHEN ends_with({c}, '.0') THEN {c}[:-3] ELSE {c} END)"
        )

    def count(column: str) -> str:
        c = cell(column)
        checks.append(f"({c} IS NULL OR regexp_full_match({c}, '\\d{{1,18}}'))")
        return f"try_cast({c} AS BIGINT)"

    post_id = tweet_id("tweetid")
    account_id = tweet_id("userid")
    # an id is missing when its cell is (or is "0"): a cell that is not is never emptied
    checks += [f"({cell(c)} IS NOT NULL AND {cell(c)} <> '0')" for c in ("tweetid", "userid")]
    tweet_time = ident("tweet_time") if "tweet_time" in inp.columns else "NULL::VARCHAR"
    created, created_ok = time_sql(tweet_time, once=once)
    checks.append(created_ok)
    text = f"coalesce({ident('tweet_text')}, '')" if "tweet_text" in inp.columns else "''"
    retweet = f"(lower({cell('is_retweet')}) IN {_TRUE})"
    lists = {
        "__urls": list_cell(cell("urls")),
        "__tags": list_cell(cell("hashtags")),
        "__mentions": list_cell(cell("user_mentions")),
    }
    url_items, tag_items, mention_items = lists
    urls_text, tags_text, _ = entity_sql(text)
    checks += [lower_sure(text), lower_sure(cell("hashtags")), lower_sure(cell("user_mentions"))]
    created_acc = cell("account_creation_date")
    acc_time, acc_time_ok = time_sql(created_acc, once=once)
    checks.append(f"({created_acc} IS NULL OR {acc_time_ok})")
    counts = {field: count(column) for field, column in _COUNTS.items()}
    followers = count("follower_count")
    following = count("following_count")
    handle = cell("user_screen_name")
    name = cell("user_display_name")
    description = cell("user_profile_description")
    reply_to = tweet_id("in_reply_to_tweetid")
    repost = tweet_id("retweet_tweetid")
    quote_of = tweet_id("quoted_tweet_tweetid")
    lang = cell("tweet_language")
    # a cell Python reads as missing (twitter_io._ABSENT, any case) sends its row to Python
    checks.append(all_stripped(read, absent=sorted(twitter_io._ABSENT)))
    # what is computed from the cells, then the list items (DuckDB lets a
    # select item use an earlier one's name): each is computed once per row
    inner = ", ".join(
        [f"{expr} AS {name}" for expr, name in computed.items()]
        + [f"{expr} AS {name}" for name, expr in lists.items()]
    )
    return f"""
      SELECT * EXCLUDE (raw_urls0, hashtags0, mentions0),
        {uniq("raw_urls0")} AS raw_urls, {uniq("hashtags0")} AS hashtags,
        {uniq("mentions0")} AS mentions
      FROM (
        SELECT __rid AS _r,
          NOT coalesce(({" AND ".join(checks)}), false) AS _py,
          'twitter' AS platform, {post_id} AS post_id, {account_id} AS account_id,
          {handle} AS account_handle, {created} AS created_at, {text} AS text, {lang} AS lang,
          CASE WHEN len({url_items}) > 0 THEN {url_items} ELSE {urls_text} END AS raw_urls0,
          CASE WHEN len({tag_items}) > 0
               THEN list_transform({tag_items}, lambda t: lower(ltrim(trim(t), '#＃')))
               ELSE {tags_text} END AS hashtags0,
          list_transform({mention_items}, lambda m: lower(ltrim(m, '@'))) AS mentions0,
          {reply_to} AS reply_to,
          CASE WHEN {retweet} THEN {repost} END AS repost_of,
          {quote_of} AS quote_of,
          []::VARCHAR[] AS media,
          {counts["views"]} AS views, {counts["likes"]} AS likes,
          {counts["reposts"]} AS reposts, {counts["replies"]} AS replies,
          {counts["quotes"]} AS quotes,
          NULL::TIMESTAMPTZ AS collected_at,
          {name} AS acc_name, {acc_time} AS acc_created_at, {followers} AS acc_followers,
          {following} AS acc_following, {description} AS acc_description
        FROM (SELECT rowid AS __rid, *, {inner} FROM src))
    """


def _accounts_sql(source: str) -> str:
    return f"""
      SELECT 'twitter' AS platform, account_id, account_handle AS handle, acc_name AS name,
        acc_created_at AS created_at, acc_followers AS followers, acc_following AS following,
        NULL::BIGINT AS posts_count, NULL::BOOLEAN AS verified,
        acc_description AS description, ['state-backed-io'] AS labels,
        NULL::TIMESTAMPTZ AS observed_at, {quote(source)} AS source
      FROM m WHERE NOT _py
      QUALIFY row_number() OVER (PARTITION BY account_id, account_handle, acc_name,
        acc_created_at, acc_followers, acc_following, acc_description ORDER BY _r) = 1
      ORDER BY _r
    """


def read_tables(path: Path, options: ReadOptions, batch_size: int) -> list[Batch] | None:
    """Posts, accounts and rejects of a whole archive CSV, or ``None`` (use ``read``)."""

    def fallback(row: Any, where: Where) -> list[Item]:
        return list(twitter_io.row_items(row, where, options))

    return run_columnar(
        path,
        options,
        batch_size,
        kinds=("csv",),
        mapped_sql=_mapped_sql,
        fallback=fallback,
        accounts_sql=_accounts_sql(str(path)),
        name=twitter_io.NAME,
    )
