"""The columnar path of the generic format: a mapped flat CSV or JSON Lines file, in DuckDB.

It implements :func:`lagebild.ingest.generic.normalize` as SQL for the rows it is sure about
and hands every other row to that Python function (see :mod:`lagebild.ingest.columnar`).
The SQL mirrors the Python rules one by one; ``tests/ingest/test_columnar.py`` checks that
both paths give the same posts and rejects.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lagebild.errors import RecordError
from lagebild.ingest import generic
from lagebild.ingest.base import MALFORMED, Batch, Item, ReadOptions, Where, make_reject
from lagebild.ingest.columnar import ColumnarInput, run_columnar
from lagebild.ingest.sql_rules import (
    entity_sql,
    ident,
    list_cell,
    lower_sure,
    quote,
    stripped,
    time_sql,
    uniq,
)

__all__ = ["read_tables"]


def _value(inp: ColumnarInput, column: str) -> tuple[str, str]:
    """SQL for a field's text value and for "its type is a plain scalar" (JSON only)."""
    if inp.kind == "csv":
        if column in inp.columns:
            return ident(column), "true"
        return "NULL::VARCHAR", "true"
    if inp.fields:
        if column not in inp.columns:  # no line has it: missing and null read the same
            return "NULL::VARCHAR", "true"
        i = inp.fields.index(column)
        text, kind = f"__v{i}", f"coalesce(__t{i}, 'NULL')"
    else:
        paths = [f'$."{column}"'] + ([f"$.{column}"] if "." in column else [])
        text = (
            "nullif(coalesce(" + ", ".join(f"json ->> {quote(p)}" for p in paths) + ", NULL), '')"
        )
        kind = (
            "coalesce(" + ", ".join(f"json_type(json -> {quote(p)})" for p in paths) + ", 'NULL')"
        )
    scalar = f"({kind} IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'NULL'))"
    return text, scalar


def _json(inp: ColumnarInput, column: str) -> tuple[str, str]:
    """SQL for a field's JSON value and its JSON type (both NULL when the key is missing)."""
    if inp.fields:
        if column not in inp.columns:
            return "NULL::JSON", "NULL::VARCHAR"
        i = inp.fields.index(column)
        return f"__j{i}", f"__t{i}"
    path = quote(f'$."{column}"')
    return f"json -> {path}", f"json_type(json -> {path})"


def _fields_sql(inp: ColumnarInput) -> str:
    """The fields of a JSON Lines input loaded by field: each one's text, type and JSON, once."""

    def jtype(c: str) -> str:
        # DuckDB's JSON values are minified: a string or an array shows in its first character
        text = f"{ident(c)}::VARCHAR"
        return (
            f"CASE WHEN {ident(c)} IS NULL THEN NULL WHEN starts_with({text}, '\"') "
            f"THEN 'VARCHAR' WHEN starts_with({text}, '[') THEN 'ARRAY' "
            f"ELSE json_type({ident(c)}) END"
        )

    cols = ", ".join(
        f"nullif({ident(c)} ->> '$', '') AS __v{i}, {jtype(c)} AS __t{i}, {ident(c)} AS __j{i}"
        for i, c in enumerate(inp.fields)
        if c in inp.columns
    )
    return f"(SELECT rowid AS _rid, {cols} FROM src)"


# a JSON array of strings only (the text of a parsed, hence valid, JSON value)
_STRING = r'"(?:[^"\\]|\\.)*"'
_STRING_ARRAY = rf"\s*\[\s*(?:{_STRING}\s*(?:,\s*{_STRING}\s*)*)?\]\s*"


def _list_value(inp: ColumnarInput, column: str) -> tuple[str, str, str]:
    """SQL for a list field: the raw items, "is present", and "is safe for the fast path"."""
    text, _ = _value(inp, column)
    cell = list_cell(text)
    if inp.kind == "csv":
        # a CSV cell is never missing when its column exists (empty is an empty list)
        return cell, "true" if column in inp.columns else "false", "true"
    value, jtype = _json(inp, column)
    items = (
        f"CASE WHEN {jtype} = 'ARRAY' THEN list_filter(from_json({value}, "
        f"'[\"VARCHAR\"]'), lambda x: x IS NOT NULL AND x <> '') ELSE {cell} END"
    )
    present = f"({jtype} IS NOT NULL AND {jtype} <> 'NULL')"
    # Arrays of strings only; a nested or dotted list column goes the exact way.
    safe = (
        f"({'false' if '.' in column else 'true'} AND ({jtype} IS NULL OR {jtype} = 'NULL' "
        f"OR {jtype} = 'VARCHAR' OR ({jtype} = 'ARRAY' AND "
        f"regexp_full_match({value}::VARCHAR, {quote(_STRING_ARRAY)}))))"
    )
    return items, present, safe


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
        f"{v['post_id'][0]} IS NOT NULL AND {stripped(v['post_id'][0])}",
        f"{v['account_id'][0]} IS NOT NULL AND {stripped(v['account_id'][0])}",
    ]
    platform = (
        f"coalesce({v['platform'][0]}, {quote(options.platform) if options.platform else 'NULL'})"
    )
    checks.append(f"{platform} IS NOT NULL")
    created, created_ok = time_sql(v["created_at"][0], options.time_format)
    checks.append(created_ok)
    for f in ("account_handle", "lang", "reply_to", "repost_of", "quote_of", "platform", "text"):
        checks.append(v[f][1])
    counts = {}
    for f in ("views", "likes", "reposts", "replies", "quotes"):
        val, scalar = v[f]
        checks.append(f"({scalar} AND ({val} IS NULL OR regexp_full_match({val}, '\\d{{1,18}}')))")
        counts[f] = f"try_cast({val} AS BIGINT)"
    collected_val, collected_scalar = v["collected_at"]
    collected_ts, collected_ok = time_sql(collected_val, None)
    checks.append(f"({collected_scalar} AND ({collected_val} IS NULL OR {collected_ok}))")
    lists = {}
    for f in ("urls", "hashtags", "mentions", "media"):
        items, present, safe = _list_value(inp, cols[f])
        checks.append(safe)
        lists[f] = (items, present)
    urls_text, tags_text, mentions_text = entity_sql(text)
    # hashtags and mentions are lowered (from the text or from their own fields)
    checks += [lower_sure(text)] + [
        lower_sure(f"array_to_string({lists[f][0]}, ' ')") for f in ("hashtags", "mentions")
    ]
    hashtag_items, hashtag_present = lists["hashtags"]
    mention_present = lists["mentions"][1]
    url_items, url_present = lists["urls"]
    media_items, media_present = lists["media"]
    clean = "lambda t: lower(ltrim(trim(t), '#＃'))"
    clean_mention = "lambda t: lower(ltrim(trim(t), '@'))"
    mention_list = f"list_transform({lists['mentions'][0]}, {clean_mention})"
    sql = f"""
      SELECT * EXCLUDE (raw_urls0, hashtags0, mentions0, media0),
        {uniq("raw_urls0")} AS raw_urls, {uniq("hashtags0")} AS hashtags,
        {uniq("mentions0")} AS mentions, {uniq("media0")} AS media
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
    if inp.kind != "jsonl":
        return sql
    if not inp.fields:
        return _extract_once(sql)
    return sql.replace("SELECT rowid AS _r,", "SELECT _rid AS _r,").replace(
        "FROM src)", f"FROM {_fields_sql(inp)})"
    )


def read_tables(path: Path, options: ReadOptions, batch_size: int) -> list[Batch] | None:
    """The posts and rejects of a whole flat CSV / JSON Lines file, or ``None`` (use ``read``)."""
    generic.check_mapping(options.mapping)

    def fallback(row: Any, where: Where) -> list[Item]:
        try:
            if not isinstance(row, dict):
                raise RecordError(f"expected an object, got {type(row).__name__}")
            return [
                generic.normalize(
                    row,
                    options.mapping,
                    platform=options.platform,
                    time_format=options.time_format,
                    source=where.source,
                    line=where.line,
                    collected_at=options.collected_at,
                )
            ]
        except MALFORMED as exc:
            return [make_reject(where, generic.NAME, exc, row)]

    columns = tuple(dict.fromkeys(options.mapping.get(f, f) for f in generic.FIELDS))
    return run_columnar(
        path,
        options,
        batch_size,
        kinds=("csv", "jsonl"),
        mapped_sql=lambda inp: _mapped_sql(inp, options),
        fallback=fallback,
        # a dotted name may be a nested path: those files are read line by line
        fields=() if any("." in c for c in columns) else columns,
        name=generic.NAME,
    )
