"""The columnar path of the generic format: a mapped flat CSV or JSON Lines file, in DuckDB.

It implements :func:`lagebild.ingest.generic.normalize` as SQL for the rows it is sure about
and hands every other row to that Python function (see :mod:`lagebild.ingest.columnar`).
The SQL mirrors the Python rules one by one; ``tests/ingest/test_columnar.py`` checks that
both paths give the same posts and rejects.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from lagebild.errors import RecordError
from lagebild.ingest import generic
from lagebild.ingest.base import MALFORMED, Batch, ReadOptions, Where, make_reject
from lagebild.ingest.columnar import ColumnarInput, load_input, register_url_functions
from lagebild.ingest.tabular import csv_header
from lagebild.model import (
    ACCOUNT_SCHEMA,
    POST_SCHEMA,
    Post,
    Reject,
    posts_to_table,
    rejects_to_table,
)

__all__ = ["read_tables"]

# Python's str.strip() whitespace, for "is this value already stripped?"
_WS = r"[\s\p{Z}\x{1c}-\x{1f}\x{85}]"
_ISO = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?"
# text.py's patterns in RE2 (no look-behind: the preceding character is matched instead)
_W = r"[\p{L}\p{N}_]"
# a hashtag is the whole word-character run after "#", unless it is only digits/underscores
_HASHTAG = rf"(?:^|[^\p{{L}}\p{{N}}_&/#])[#＃]({_W}+)"
_NOT_A_TAG = r"[\p{Nd}_]+"
_MENTION = rf"(?:^|[^\p{{L}}\p{{N}}_@/.])@({_W}{{1,64}}(?:@[\p{{L}}\p{{N}}_.-]+\.{_W}+)?)"
_PY_SPACE = (
    r"\s\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
)
_URL = rf"(?i)(?:https?://|www\.)[^{_PY_SPACE}<>\"'«»“”]+"
_URL_TRAIL = ".,;:!?)]}>…'\""


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(inp: ColumnarInput, column: str) -> tuple[str, str]:
    """SQL for a field's text value and for "its type is a plain scalar" (JSON only)."""
    if inp.kind == "csv":
        if column in inp.columns:
            return _ident(column), "true"
        return "NULL::VARCHAR", "true"
    paths = [f'$."{column}"'] + ([f"$.{column}"] if "." in column else [])
    text = "nullif(coalesce(" + ", ".join(f"json ->> {_q(p)}" for p in paths) + ", NULL), '')"
    kind = "coalesce(" + ", ".join(f"json_type(json -> {_q(p)})" for p in paths) + ", 'NULL')"
    scalar = f"({kind} IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'NULL'))"
    return text, scalar


def _list_value(inp: ColumnarInput, column: str) -> tuple[str, str, str]:
    """SQL for a list field: the raw items, "is present", and "is safe for the fast path"."""
    text, _ = _value(inp, column)
    single = f"trim(trim(trim({text}), '''\"'))"
    cell = (
        f"CASE WHEN {text} IS NULL THEN [] "
        f"WHEN NOT contains({text}, ',') AND NOT contains({text}, '[') "
        f"THEN CASE WHEN {single} = '' THEN [] ELSE [{single}] END ELSE "
        f"coalesce(list_filter(list_transform(string_split(CASE WHEN trim({text}) LIKE '[%]' "
        f"THEN trim({text})[2:-2] ELSE trim({text}) END, ','), "
        "lambda x: trim(trim(trim(x), '''\"'))), lambda x: x <> ''), []) END"
    )
    if inp.kind == "csv":
        # a CSV cell is never missing when its column exists (empty is an empty list)
        return cell, "true" if column in inp.columns else "false", "true"
    p = f'$."{column}"'
    jtype = f"json_type(json -> {_q(p)})"
    items = (
        f"CASE WHEN {jtype} = 'ARRAY' THEN list_filter(from_json(json -> {_q(p)}, "
        f"'[\"VARCHAR\"]'), lambda x: x IS NOT NULL AND x <> '') ELSE {cell} END"
    )
    present = f"({jtype} IS NOT NULL AND {jtype} <> 'NULL')"
    # Arrays of strings only; a nested or dotted list column goes the exact way.
    safe = (
        f"({'false' if '.' in column else 'true'} AND ({jtype} IS NULL OR {jtype} = 'NULL' "
        f"OR {jtype} = 'VARCHAR' OR ({jtype} = 'ARRAY' AND coalesce(list_bool_and("
        f"list_transform(from_json(json -> {_q(p)}, '[\"JSON\"]'), "
        f"lambda e: json_type(e) = 'VARCHAR')), true))))"
    )
    return items, present, safe


def _uniq(column: str) -> str:
    """Order-preserving de-duplication of a list column, without empty strings (unique())."""
    return (
        f"list_filter({column}, lambda x, i: x IS NOT NULL AND x <> '' "
        f"AND list_position({column}, x) = i)"
    )


def _time(value: str, time_format: str | None) -> tuple[str, str]:
    """SQL for a parsed time and for "the fast parse is certain" (else Python decides)."""
    if time_format:
        parsed = f"try_strptime({value}, {_q(time_format)})::TIMESTAMP"
        sure = f"(strftime({parsed}, {_q(time_format)}) = {value})"
        ts = f"timezone('UTC', {parsed})"
    else:
        iso = f"regexp_full_match({value}, {_q(_ISO)})"
        epoch = f"regexp_full_match({value}, '\\d{{9,10}}')"
        epoch_ms = f"regexp_full_match({value}, '\\d{{12,13}}')"
        ts = (
            f"CASE WHEN {iso} THEN try_cast({value} AS TIMESTAMPTZ) "
            f"WHEN {epoch} THEN to_timestamp(try_cast({value} AS BIGINT)) "
            f"WHEN {epoch_ms} THEN to_timestamp(try_cast({value} AS BIGINT) / 1000.0) END"
        )
        sure = "true"
    ok = (
        f"({sure} AND {ts} IS NOT NULL AND {ts} >= TIMESTAMPTZ '1990-01-01 00:00:00+00' "
        f"AND {ts} < TIMESTAMPTZ '2100-01-01 00:00:00+00')"
    )
    return ts, ok


def _stripped(value: str) -> str:
    return f"(NOT regexp_matches({value}, {_q('^' + _WS + '|' + _WS + '$')}))"


_JSON_ACCESS = re.compile(r"json (->>|->) '((?:[^']|'')*)'")


def _extract_once(sql: str) -> str:
    """Parse each JSON line once: every ``json -> 'path'`` becomes an element of one
    ``json_extract(json, [paths])`` list computed per row (likewise ``->>``)."""
    paths: dict[str, int] = {}
    for _, path in _JSON_ACCESS.findall(sql):
        paths.setdefault(path, len(paths) + 1)
    if not paths:
        return sql

    def sub(m: re.Match[str]) -> str:
        column = "_js" if m.group(1) == "->>" else "_jj"
        return f"{column}[{paths[m.group(2)]}]"

    listed = ", ".join(f"'{p}'" for p in paths)
    body = _JSON_ACCESS.sub(sub, sql)
    body = body.replace("SELECT rowid AS _r,", "SELECT _rid AS _r,")
    return body.replace(
        "FROM src)",
        f"FROM (SELECT rowid AS _rid, json_extract(json, [{listed}]) AS _jj, "
        f"json_extract_string(json, [{listed}]) AS _js FROM src))",
    )


def _mapped_sql(inp: ColumnarInput, options: ReadOptions) -> str:
    cols = {f: options.mapping.get(f, f) for f in generic.FIELDS}
    v = {f: _value(inp, c) for f, c in cols.items()}
    text = v["text"][0]
    checks = [
        v["post_id"][1],
        v["account_id"][1],
        v["created_at"][1],
        f"{v['post_id'][0]} IS NOT NULL AND {_stripped(v['post_id'][0])}",
        f"{v['account_id'][0]} IS NOT NULL AND {_stripped(v['account_id'][0])}",
    ]
    platform = (
        f"coalesce({v['platform'][0]}, {_q(options.platform) if options.platform else 'NULL'})"
    )
    checks.append(f"{platform} IS NOT NULL")
    created, created_ok = _time(v["created_at"][0], options.time_format)
    checks.append(created_ok)
    for f in ("account_handle", "lang", "reply_to", "repost_of", "quote_of", "platform", "text"):
        checks.append(v[f][1])
    counts = {}
    for f in ("views", "likes", "reposts", "replies", "quotes"):
        val, scalar = v[f]
        checks.append(f"({scalar} AND ({val} IS NULL OR regexp_full_match({val}, '\\d{{1,18}}')))")
        counts[f] = f"try_cast({val} AS BIGINT)"
    collected_val, collected_scalar = v["collected_at"]
    collected_ts, collected_ok = _time(collected_val, None)
    checks.append(f"({collected_scalar} AND ({collected_val} IS NULL OR {collected_ok}))")
    lists = {}
    for f in ("urls", "hashtags", "mentions", "media"):
        items, present, safe = _list_value(inp, cols[f])
        checks.append(safe)
        lists[f] = (items, present)
    tags_text = (
        f"CASE WHEN contains({text}, '#') OR contains({text}, '＃') THEN list_transform("
        f"list_filter(regexp_extract_all({text}, {_q(_HASHTAG)}, 1), lambda t: NOT "
        f"regexp_full_match(t, {_q(_NOT_A_TAG)})), lambda t: lower(t)) ELSE [] END"
    )
    mentions_text = (
        f"CASE WHEN contains({text}, '@') THEN list_transform("
        f"regexp_extract_all({text}, {_q(_MENTION)}, 1), lambda t: lower(t)) ELSE [] END"
    )
    urls_text = (
        f"CASE WHEN contains({text}, 'http') OR contains({text}, 'www.') OR "
        f"contains({text}, 'HTTP') THEN list_transform(regexp_extract_all({text}, {_q(_URL)}),"
        f" lambda m: CASE WHEN m[length(rtrim(m, {_q(_URL_TRAIL)})) + 1] = ')' AND "
        f"length(rtrim(m, {_q(_URL_TRAIL)})) - length(replace(rtrim(m, {_q(_URL_TRAIL)}), "
        f"'(', '')) > length(rtrim(m, {_q(_URL_TRAIL)})) - length(replace(rtrim(m, "
        f"{_q(_URL_TRAIL)}), ')', '')) THEN rtrim(m, {_q(_URL_TRAIL)}) || ')' "
        f"ELSE rtrim(m, {_q(_URL_TRAIL)}) END) ELSE [] END"
    )
    hashtag_items, hashtag_present = lists["hashtags"]
    mention_present = lists["mentions"][1]
    url_items, url_present = lists["urls"]
    media_items, media_present = lists["media"]
    clean = "lambda t: lower(ltrim(trim(t), '#＃'))"
    clean_mention = "lambda t: lower(ltrim(trim(t), '@'))"
    mention_list = f"list_transform({lists['mentions'][0]}, {clean_mention})"
    sql = f"""
      SELECT * EXCLUDE (raw_urls0, hashtags0, mentions0, media0),
        {_uniq("raw_urls0")} AS raw_urls, {_uniq("hashtags0")} AS hashtags,
        {_uniq("mentions0")} AS mentions, {_uniq("media0")} AS media
      FROM (
        SELECT rowid AS _r,
          NOT coalesce(({" AND ".join(f"({c})" for c in checks)}), false) AS _py,
          lower({platform}) AS platform,
          {v["post_id"][0]} AS post_id,
          {v["account_id"][0]} AS account_id,
          {v["account_handle"][0]} AS account_handle,
          {created} AS created_at,
          {text} AS text,
          {v["lang"][0]} AS lang,
          CASE WHEN {url_present} THEN {url_items} ELSE {urls_text} END AS raw_urls0,
          CASE WHEN {hashtag_present} THEN list_transform({hashtag_items}, {clean})
               ELSE {tags_text} END AS hashtags0,
          CASE WHEN {mention_present} THEN {mention_list}
               ELSE {mentions_text} END AS mentions0,
          {v["reply_to"][0]} AS reply_to,
          {v["repost_of"][0]} AS repost_of,
          {v["quote_of"][0]} AS quote_of,
          CASE WHEN {media_present} THEN {media_items} ELSE [] END AS media0,
          {counts["views"]} AS views, {counts["likes"]} AS likes,
          {counts["reposts"]} AS reposts, {counts["replies"]} AS replies,
          {counts["quotes"]} AS quotes,
          {collected_ts} AS collected_at
        FROM src)
    """
    return _extract_once(sql) if inp.kind == "jsonl" else sql


def read_tables(path: Path, options: ReadOptions, batch_size: int) -> list[Batch] | None:
    """The posts and rejects of a whole flat CSV / JSON Lines file, or ``None`` (use ``read``)."""
    if options.span is not None:
        return None
    kind = _kind(path)
    if kind is None:
        return None
    generic.check_mapping(options.mapping)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        inp = load_input(con, path, kind)
        if inp is None:
            return None
        register_url_functions(con)
        con.execute(f"CREATE TEMP TABLE m AS {_mapped_sql(inp, options)}")
        # URLs are normalised once per distinct value; the common one-link post joins
        # directly, posts with several links are re-assembled in order.
        con.execute(
            "CREATE TEMP TABLE raw_links AS SELECT _r, unnest(raw_urls) AS raw, "
            "unnest(range(1, len(raw_urls) + 1)) AS pos FROM m "
            "WHERE NOT _py AND len(raw_urls) > 1; "
            "CREATE TEMP TABLE urlmap AS SELECT raw, lb_norm_url(raw) AS url FROM ("
            "SELECT DISTINCT raw FROM raw_links UNION SELECT DISTINCT raw_urls[1] FROM m "
            "WHERE NOT _py AND len(raw_urls) = 1); "
            "CREATE TEMP TABLE domainmap AS SELECT url, lb_domain(url) AS domain "
            "FROM (SELECT DISTINCT url FROM urlmap WHERE url IS NOT NULL); "
            "CREATE TEMP TABLE urls2 AS SELECT u.raw, u.url, d.domain FROM urlmap u "
            "LEFT JOIN domainmap d USING (url); "
            "CREATE TEMP TABLE links AS SELECT l._r, "
            "list(u.url ORDER BY l.pos) FILTER (u.url IS NOT NULL) AS urls, "
            "list(u.domain ORDER BY l.pos) FILTER (u.url IS NOT NULL) AS domains "
            "FROM raw_links l JOIN urls2 u USING (raw) GROUP BY l._r"
        )
        collected = options.collected_at
        fast = con.sql(
            f"""SELECT m._r, platform, post_id, account_id, account_handle, created_at, text,
                lang,
                CASE WHEN len(raw_urls) = 1 THEN
                  CASE WHEN one.url IS NULL THEN [] ELSE [one.url] END
                ELSE {_uniq("coalesce(links.urls, [])")} END AS urls,
                CASE WHEN len(raw_urls) = 1 THEN
                  CASE WHEN one.url IS NULL THEN [] ELSE [one.domain] END
                ELSE {_uniq("coalesce(links.domains, [])")} END AS domains,
                hashtags, mentions,
                reply_to, repost_of, quote_of, media, views, likes, reposts, replies, quotes,
                coalesce(m.collected_at, $collected) AS collected_at
            FROM m LEFT JOIN links USING (_r)
              LEFT JOIN urls2 one ON len(m.raw_urls) = 1 AND one.raw = m.raw_urls[1]
            WHERE NOT _py ORDER BY m._r""",
            params={"collected": collected},
        ).to_arrow_table()
        slow_rows = con.sql(
            "SELECT m._r, src.* FROM m JOIN src ON m._r = src.rowid WHERE _py ORDER BY m._r"
        ).to_arrow_table()
    except duckdb.Error:
        return None
    finally:
        con.close()
    assert fast is not None and slow_rows is not None
    return _assemble(path, inp, options, fast, slow_rows, batch_size)


def _kind(path: Path) -> str | None:
    with path.open("rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        first = fh.readline().lstrip(b"\xef\xbb\xbf \t\r")
    if head == b"PAR1":
        return None
    if first.startswith(b"{"):
        try:
            return "jsonl" if isinstance(orjson.loads(first), dict) else None
        except orjson.JSONDecodeError:
            return None
    return "csv" if csv_header(first.decode("utf-8", errors="replace")) else None


def _assemble(
    path: Path,
    inp: ColumnarInput,
    options: ReadOptions,
    fast: pa.Table,
    slow_rows: pa.Table,
    batch_size: int,
) -> list[Batch]:
    source = str(path)
    lines = inp.lines
    n = fast.num_rows
    rows = fast.column("_r").to_numpy()
    fast = fast.drop_columns(["_r"])
    fast = pa.Table.from_arrays(
        [
            *[
                fast.column(name).cast(POST_SCHEMA.field(name).type)
                for name in POST_SCHEMA.names
                if name not in ("source", "source_line")
            ],
            pa.array([source] * n, pa.string()),
            pa.array(lines[rows], pa.int64()),
        ],
        schema=POST_SCHEMA,
    )
    slow_posts: list[tuple[int, Post]] = []
    rejects: list[Reject] = []
    for rec in slow_rows.to_pylist():
        r = rec.pop("_r")
        line = int(lines[r])
        where = Where(source, line, None)
        row: Any
        if inp.kind == "jsonl":
            row = orjson.loads(rec["json"])
        else:
            row = {k: ("" if val is None else val) for k, val in rec.items()}
        try:
            if not isinstance(row, dict):
                raise RecordError(f"expected an object, got {type(row).__name__}")
            post = generic.normalize(
                row,
                options.mapping,
                platform=options.platform,
                time_format=options.time_format,
                source=source,
                line=line,
                collected_at=options.collected_at,
            )
        except MALFORMED as exc:
            rejects.append(make_reject(where, generic.NAME, exc, row))
        else:
            slow_posts.append((r, post))
    if slow_posts:
        merged = pa.concat_tables([fast, posts_to_table([p for _, p in slow_posts])])
        order = pa.array([*rows.tolist(), *(r for r, _ in slow_posts)], pa.int64())
        fast = merged.take(pa.compute.sort_indices(order))
    batches = [
        Batch(
            fast.slice(i, batch_size),
            ACCOUNT_SCHEMA.empty_table(),
            rejects_to_table([]),
            Counter(),
            0,
        )
        for i in range(0, fast.num_rows, batch_size)
    ]
    if rejects or not batches:
        batches.append(
            Batch(
                POST_SCHEMA.empty_table(),
                ACCOUNT_SCHEMA.empty_table(),
                rejects_to_table(rejects),
                Counter(),
                0,
            )
        )
    return batches
