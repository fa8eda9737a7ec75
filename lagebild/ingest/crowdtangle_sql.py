"""The columnar path of the CrowdTangle reader (see ``columnar.py``).

:func:`lagebild.ingest.crowdtangle.normalize` and ``normalize_account`` as SQL for the rows the
SQL is sure about: the platform is named by the export's columns, the post URL has one of the
common shapes, times are ``YYYY-MM-DD HH:MM:SS`` with a known zone abbreviation (or ISO), counts
are plain digits and no link could be the post's own URL. Every other row is read by the
Python functions. ``tests/ingest/test_columnar.py`` checks that both paths agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lagebild.errors import RecordError
from lagebild.ingest import crowdtangle
from lagebild.ingest.base import TZ_ABBREVIATIONS, Batch, Item, ReadOptions, Where
from lagebild.ingest.columnar import ColumnarInput, run_columnar
from lagebild.ingest.sql_rules import (
    all_stripped,
    entity_sql,
    ident,
    lower_sure,
    plausible,
    quote,
    time_sql,
    uniq,
)

__all__ = ["read_tables"]

# ``crowdtangle._COMMON_ID`` up to the end of the id, without its capture group (RE2 finds a
# whole match with its DFA, a group needs its slower NFA): the id is the match's last path
# segment, and what follows the match must be what the full pattern allows after it. The
# match is the pattern's preferred one, so when that is followed correctly it is also the
# full pattern's preferred match, and the id is the one Python captures.
_COMMON_HEAD = r"^https?://[^/?#]+/(?:[^/?#]+/)?(?:posts|permalink|videos|p|reel|tv)/[\w-]+"
_COMMON_TAIL = r"(?s)/?(?:[?#].*)?"
_LOCAL_TIME = r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) ([A-Z]{1,5})"
_ZONES = "MAP {" + ", ".join(f"'{k}': {v}" for k, v in TZ_ABBREVIATIONS.items()) + "}"
_VIDEO_TYPES = "('igtv', 'reel', 'reels', 'youtube', 'vine')"


def _platform(inp: ColumnarInput) -> str | None:
    try:
        return crowdtangle.platform_of(inp.columns) or None
    except RecordError:
        return None


def _mapped_sql(inp: ColumnarInput, platform: str) -> str:
    checks: list[str] = []
    padded: list[str] = []  # cells Python strips: checked together (all_stripped)
    instagram = platform == "instagram"

    def raw(column: str) -> str:
        return ident(column) if column in inp.columns else "NULL::VARCHAR"

    def cell(column: str, matched: bool = False) -> str:
        """A cell Python strips; ``matched``: a full-match check of the caller already rules
        out surrounding white space."""
        r = raw(column)
        if not matched and r not in padded and r != "NULL::VARCHAR":
            padded.append(r)
        return r

    def count(column: str) -> str:
        r = raw(column)
        checks.append(f"({r} IS NULL OR regexp_full_match({r}, '[0-9]{{1,18}}'))")
        return f"try_cast({r} AS BIGINT)"

    inner: dict[str, str] = {}

    def once(expr: str) -> str:
        """``expr`` computed once per row, in the inner query."""
        return inner.setdefault(expr, f"__e{len(inner)}")

    def local_time(column: str) -> tuple[str, str]:
        r = raw(column)
        is_local = once(f"regexp_full_match({r}, {quote(_LOCAL_TIME)})")
        # the ISO parse, used twice, is computed once and only for times that are not local
        iso, iso_ok = time_sql(r, once=lambda e: once(f"CASE WHEN NOT {is_local} THEN {e} END"))
        # the pattern is ASCII with a fixed-width time: the zone starts at character 21
        offset = once(f"CASE WHEN {is_local} THEN ({_ZONES})[substr({r}, 21)] END")
        local = once(
            f"CASE WHEN {is_local} THEN strptime(left({r}, 19), '%Y-%m-%d %H:%M:%S') "
            f"- to_minutes(CAST(round({offset} * 60) AS BIGINT)) END"
        )
        ts = f"CASE WHEN {is_local} THEN {local} ELSE {iso} END"
        ok = (
            f"(CASE WHEN {is_local} THEN {offset} IS NOT NULL AND {plausible(local)} "
            f"ELSE {iso_ok} END)"
        )
        return ts, ok

    url = cell("URL")
    # ASCII only: as many bytes as characters
    checks.append(f"{url} IS NOT NULL AND strlen({url}) = length({url})")
    head = once(f"regexp_extract({url}, {quote(_COMMON_HEAD)})")
    post_id = once(f"split_part({head}, '/', -1)")
    checks.append(
        f"{head} <> '' AND regexp_full_match(substr({url}, strlen({head}) + 1), "
        f"{quote(_COMMON_TAIL)})"
    )
    if instagram:
        handle = cell("User Name")
        checks.append(f"{handle} <> '' AND strlen({handle}) = length({handle})")
        account_id = f"lower({handle})"
        text = f"coalesce({raw('Description')}, {raw('Title')})"
        views = count("Views")
        name = cell("Account")
        labels = "[]::VARCHAR[]"
        reposts = "NULL::BIGINT"
        photo = cell("Photo")
        media = f"CASE WHEN {photo} IS NULL THEN [] ELSE ['url:' || {photo}] END"
    else:
        fb_id = cell("Facebook Id", matched=True)
        checks.append(f"{fb_id} IS NOT NULL AND regexp_full_match({fb_id}, '[0-9]+(\\.0)?')")
        account_id = f"regexp_replace({fb_id}, '\\.0$', '')"
        text = raw("Message")
        views = count("Post Views")
        page, group = cell("Page Name"), cell("Group Name")
        name = f"coalesce({page}, {group})"
        category, country = cell("Page Category"), cell("Page Admin Top Country")
        group_label = "['facebook-group']" if "Group Name" in inp.columns else "[]::VARCHAR[]"
        labels = (
            f"list_concat({group_label}, CASE WHEN {category} IS NULL THEN [] ELSE "
            f"['category:' || {category}] END, CASE WHEN {country} IS NULL THEN [] ELSE "
            f"['admin-country:' || {country}] END)"
        )
        reposts = count("Shares")
        media = "[]::VARCHAR[]"
    kind = f"lower({raw('Type')})"
    video = (
        f"({raw('Type')} IS NOT NULL AND (contains({kind}, 'video') OR {kind} IN {_VIDEO_TYPES} "
        f"OR starts_with({kind}, 'live')))"
    )
    checks.append(f"({raw('Type')} IS NULL OR strlen({raw('Type')}) = length({raw('Type')}))")
    views_sql = f"CASE WHEN {views} = 0 AND NOT {video} THEN NULL ELSE {views} END"
    link = f"coalesce({cell('Final Link')}, {cell('Link')})"
    urls_text, tags_text, mentions_text = entity_sql(text)
    checks.append(lower_sure(text))
    candidates = (
        f"list_concat(CASE WHEN {link} IS NULL THEN [] ELSE [{link}] END, "
        f"CASE WHEN {text} IS NULL THEN [] ELSE {urls_text} END)"
    )
    # a link holding the post id may be the post's own URL: only Python can tell (the links
    # are cut from the link cell and the text, so neither holding the id rules it out first).
    # A CASE, not an OR: DuckDB computes both sides of an OR for every row, a CASE branch
    # only for the rows that reach it
    checks.append(
        f"(CASE WHEN NOT (contains(coalesce({link}, ''), {post_id}) OR "
        f"contains(coalesce({text}, ''), {post_id})) THEN true ELSE NOT list_bool_or("
        f"list_transform({candidates}, lambda u: contains(u, {post_id}))) IS TRUE END)"
    )
    created, created_ok = local_time("Post Created")
    checks.append(created_ok)
    # a time the SQL is sure of matched a pattern in full: no white space around it
    page_created_raw = cell("Page Created", matched=True)
    page_created, page_created_ok = local_time("Page Created")
    checks.append(f"({page_created_raw} IS NULL OR {page_created_ok})")
    followers = count("Followers at Posting")
    likes = count("Likes")
    replies = count("Comments")
    handle_cell = cell("User Name")
    description = cell("Page Description")
    checks.append(all_stripped(padded))
    computed = "".join(f", {expr} AS {name}" for expr, name in inner.items())
    return f"""
      SELECT * EXCLUDE (raw_urls0, hashtags0, mentions0),
        {uniq("raw_urls0")} AS raw_urls, {uniq("hashtags0")} AS hashtags,
        {uniq("mentions0")} AS mentions
      FROM (
        SELECT __rid AS _r,
          NOT coalesce(({" AND ".join(checks)}), false) AS _py,
          {quote(platform)} AS platform, {post_id} AS post_id, {account_id} AS account_id,
          {handle_cell} AS account_handle, {created} AS created_at, {text} AS text,
          NULL::VARCHAR AS lang, {candidates} AS raw_urls0,
          CASE WHEN {text} IS NULL THEN [] ELSE {tags_text} END AS hashtags0,
          CASE WHEN {text} IS NULL THEN [] ELSE {mentions_text} END AS mentions0,
          NULL::VARCHAR AS reply_to, NULL::VARCHAR AS repost_of, NULL::VARCHAR AS quote_of,
          {media} AS media, {views_sql} AS views, {likes} AS likes, {reposts} AS reposts,
          {replies} AS replies, NULL::BIGINT AS quotes, NULL::TIMESTAMPTZ AS collected_at,
          {name} AS acc_name, {page_created} AS acc_created_at, {followers} AS acc_followers,
          {description} AS acc_description, {labels} AS acc_labels
        FROM (SELECT rowid AS __rid, *{computed} FROM src))
    """


def _accounts_sql(source: str) -> str:
    return f"""
      SELECT platform, account_id, account_handle AS handle, acc_name AS name,
        acc_created_at AS created_at, acc_followers AS followers, NULL::BIGINT AS following,
        NULL::BIGINT AS posts_count, NULL::BOOLEAN AS verified,
        acc_description AS description, acc_labels AS labels,
        created_at AS observed_at, {quote(source)} AS source
      FROM m WHERE NOT _py
      QUALIFY row_number() OVER (PARTITION BY account_id, account_handle, acc_name,
        acc_created_at, acc_followers, acc_description, acc_labels ORDER BY _r) = 1
      ORDER BY _r
    """


def read_tables(path: Path, options: ReadOptions, batch_size: int) -> list[Batch] | None:
    """Posts, accounts and rejects of a whole CrowdTangle CSV, or ``None`` (use ``read``)."""

    def fallback(row: Any, where: Where) -> list[Item]:
        return list(crowdtangle.row_items(row, where, options))

    def mapped(inp: ColumnarInput) -> str | None:
        platform = _platform(inp)
        # without a known platform, rows must each be told apart by their URL: leave the
        # file to Python
        return None if platform is None else _mapped_sql(inp, platform)

    return run_columnar(
        path,
        options,
        batch_size,
        kinds=("csv",),
        mapped_sql=mapped,
        fallback=fallback,
        accounts_sql=_accounts_sql(str(path)),
        name=crowdtangle.NAME,
    )
