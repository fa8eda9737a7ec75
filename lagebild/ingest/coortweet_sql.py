"""The columnar path of the share-table reader (see ``columnar.py``).

A row is judged against the post that the earlier rows with its post id built, so the unit of
work is a *group*: all rows of one post id. The SQL takes a group only when it is sure what
:func:`lagebild.ingest.coortweet.read` makes of it: every row has an account and a timestamp
that parses exactly as ``base.parse_time`` parses it, all rows have the same account and the
same time, at most one object is reposted, and every object's stored form is known (plain
digit ids in SQL, other values by ``coortweet.object_value`` once per distinct value). Such a
group is one post, and each row after its first a merged row. Every other group, and every row
without a post id, is replayed in file order through the reader's own per-row step
(``coortweet.merge_row_item``), which gives its posts, rejects and reasons, and merged rows.

Post ids are computed exactly (Python's ``str.strip`` whitespace and missing-value words are
mirrored in SQL), since they decide the groups. A file where that cannot be done (a post id
that is a fractional float, a column of an unusual Parquet type) or that DuckDB might read
differently from Python's ``csv`` module (loose quoting, structural errors) is left to
``read``. ``tests/ingest/test_coortweet_columnar.py`` checks that both paths agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lagebild.ingest import coortweet
from lagebild.ingest.base import MALFORMED, Batch, ReadOptions, Where
from lagebild.ingest.columnar import (
    ColumnarInput,
    input_kind,
    load_input,
    posts_from_sql,
    to_batches,
)
from lagebild.ingest.sql_rules import WHITESPACE, ident, quote, time_sql
from lagebild.ingest.tabular import csv_header
from lagebild.ingest.urls import registered_domain
from lagebild.model import (
    ACCOUNT_SCHEMA,
    POST_SCHEMA,
    Post,
    Reject,
    posts_to_table,
    rejects_to_table,
)
from lagebild.store.sql import duckdb_connection

__all__ = ["read_tables"]

_INTEGER_TYPES = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}
    | {"UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
)
_FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE"})
# POSIX seconds with up to 6 decimals, or whole milliseconds (above 1e11, as parse_time)
_EPOCH = r"[0-9]{1,13}(\.[0-9]{0,6})?"
_MIN_US = 631_152_000 * 10**6  # 1990-01-01 UTC
_MAX_US = 4_102_444_800 * 10**6  # 2100-01-01 UTC
_PREFIX = {"url": "url_", "domain": "domain_", "hashtag": "hashtag_", "image": "phashid:"}
_TARGETS = {"url": "urls", "domain": "domains", "hashtag": "hashtags", "image": "media"}
_LISTS = ("urls", "domains", "hashtags", "media")
_ID_COLUMNS = ("post_id", "content_id", "account_id", "timestamp", "timestamp_share")
_BLOCK = 64 << 20


def _value_sql(column: str, types: Mapping[str, str], plain: bool) -> tuple[str, str] | None:
    """SQL for ``coortweet._value`` of a column and for "that value is exact".

    ``plain``: no cell of the file has whitespace at its edges (see :func:`_plain_cells`).
    ``None`` when the column's type is one the SQL does not mirror.
    """
    if column not in types:
        return "NULL::VARCHAR", "true"
    c, kind = ident(column), types[column]
    if kind in _INTEGER_TYPES:
        return f"CAST({c} AS VARCHAR)", "true"
    if kind in _FLOAT_TYPES:
        # NaN is missing, a whole number is written as an int; other floats go to Python
        whole = f"({c} = trunc({c}) AND abs({c}) < 1e18)"
        value = (
            f"CASE WHEN isnan({c}) THEN NULL "
            f"WHEN {whole} THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) END"
        )
        return value, f"({c} IS NULL OR isnan({c}) OR {whole})"
    if kind != "VARCHAR":
        return None

    def missing(s: str) -> str:
        # only ASCII letters lower to these words, in Python as in DuckDB
        return f"(strlen({s}) <= 4 AND lower({s}) IN ('', 'na', 'nan', 'null', 'none'))"

    if plain:
        return f"CASE WHEN {missing(c)} THEN NULL ELSE {c} END", "true"
    # a value with printable ASCII at both ends needs no strip; others take the exact one
    edges = f"(ascii({c}) BETWEEN 33 AND 126 AND ord(right({c}, 1)) BETWEEN 33 AND 126)"
    cut = f"regexp_replace({c}, {quote('^' + WHITESPACE + '+|' + WHITESPACE + '+$')}, '', 'g')"
    value = (
        f"CASE WHEN {c} IS NULL THEN NULL WHEN NOT {edges} THEN "
        f"CASE WHEN {missing(cut)} THEN NULL ELSE {cut} END "
        f"WHEN {missing(c)} THEN NULL ELSE {c} END"
    )
    return value, "true"


def _rows_sql(types: Mapping[str, str], kinds: list[tuple[int, str]], plain: bool) -> str | None:
    """Each row's post id (``pid``, its hash ``h`` and ``pid_sure``: it is written as Python
    writes it), account, time in microseconds (``us``), repost, other object values (``o<i>``),
    ``plain`` (those are digit ids or missing) and ``ok0`` (the row is certain, its objects
    aside). ``None`` when a column has a type the SQL does not mirror.
    """
    v: dict[str, tuple[str, str]] = {}
    for column in (*_ID_COLUMNS, *coortweet.OBJECT_COLUMNS):
        value = _value_sql(column, types, plain)
        if value is None:
            return None
        v[column] = value
    pid_sure = f"({v['post_id'][1]} AND {v['content_id'][1]})"
    objects = "".join(f", {v[coortweet.OBJECT_COLUMNS[i]][0]} AS o{i}" for i, _ in kinds)
    sure = " AND ".join(f"{v[coortweet.OBJECT_COLUMNS[i]][1]}" for i, _ in kinds) or "true"
    repost = next((f"o{i}" for i, k in kinds if k == "repost"), "NULL::VARCHAR")
    digits = [f"(o{i} IS NULL OR regexp_full_match(o{i}, '[0-9]+'))" for i, k in kinds]
    digits = [d for d, (_, k) in zip(digits, kinds, strict=True) if k != "repost"]
    other = "".join(f", o{i}" for i, k in kinds if k != "repost")
    # POSIX seconds (up to 6 decimals) or whole milliseconds, as exact decimals: float(value)
    # is within a quarter microsecond of them in the plausible range, so Python's rounding
    # to microseconds gives the same instant
    micros = (
        "CASE WHEN NOT ep THEN epoch_us(iso) "
        "WHEN d < 100000000000 THEN CAST(d * 1000000 AS BIGINT) "
        "WHEN d > 100000000000 AND d = trunc(d) THEN CAST(d AS BIGINT) * 1000 END"
    )
    # other shapes (ISO 8601) as the other columnar readers parse them
    iso, iso_ok = time_sql("tsv")
    return f"""
      SELECT _r, pid, hash(pid) AS h, acc, us, {repost} AS repost{other},
        {" AND ".join(digits) or "true"} AS plain,
        coalesce(pid IS NOT NULL AND acc IS NOT NULL AND sure AND tsv IS NOT NULL
          AND CASE WHEN ep THEN us >= {_MIN_US} AND us < {_MAX_US} ELSE {iso_ok} END, false) AS ok0,
        pid_sure
      FROM (
        SELECT *, {micros} AS us FROM (
          SELECT *, CASE WHEN ep THEN try_cast(tsv AS DECIMAL(19, 6)) END AS d,
            CASE WHEN NOT ep THEN {iso} END AS iso
          FROM (
            SELECT *, coalesce(regexp_full_match(tsv, {quote(_EPOCH)}), false) AS ep
            FROM (
              SELECT rowid AS _r,
                coalesce({v["post_id"][0]}, {v["content_id"][0]}) AS pid,
                {pid_sure} AS pid_sure, {v["account_id"][0]} AS acc,
                coalesce({v["timestamp"][0]}, {v["timestamp_share"][0]}) AS tsv,
                ({v["account_id"][1]} AND {v["timestamp"][1]} AND {v["timestamp_share"][1]}
                  AND {sure}) AS sure
                {objects}
              FROM src))))
    """


def _kinds(inp: ColumnarInput, options: ReadOptions) -> list[tuple[int, str]]:
    """(index, object kind) of the object columns the file has, in column order."""
    return [
        (i, options.object_kind if c == "object_id" else coortweet.COLUMN_KINDS[c])
        for i, c in enumerate(coortweet.OBJECT_COLUMNS)
        if c in inp.columns
    ]


def _object_map(con: duckdb.DuckDBPyConnection, kinds: list[tuple[int, str]]) -> bool:
    """Create ``objmap`` (kind, value → stored form, https domain) for the values the SQL
    does not map itself, by the Python rule once per distinct value; False when there are none.

    A value the rule rejects gets no stored form: its row goes to Python.
    """
    parts = [
        f"SELECT DISTINCT {quote(kind)} AS kind, o{i} AS value FROM r "
        f"WHERE NOT plain AND o{i} IS NOT NULL AND NOT regexp_full_match(o{i}, '[0-9]+')"
        for i, kind in kinds
        if kind != "repost"
    ]
    if not parts:
        return False
    pairs = con.sql(" UNION ".join(parts)).fetchall()
    if not pairs:
        return False
    stored: list[str | None] = []
    domains: list[str | None] = []
    for kind, value in pairs:
        try:
            target, out = coortweet.object_value(kind, value)
            domain = (
                registered_domain(out) if target == "urls" and out.startswith("https://") else None
            )
        except MALFORMED:
            out, domain = None, None
        stored.append(out)
        domains.append(domain)
    table = pa.table(
        {
            "kind": pa.array([k for k, _ in pairs], pa.string()),
            "value": pa.array([val for _, val in pairs], pa.string()),
            "stored": pa.array(stored, pa.string()),
            "domain": pa.array(domains, pa.string()),
        }
    )
    con.register("objmap_arrow", table)
    con.execute("CREATE TEMP TABLE objmap AS SELECT * FROM objmap_arrow")
    con.unregister("objmap_arrow")
    return True


def _objects_sql(kinds: list[tuple[int, str]], mapped: bool) -> str:
    """``r`` with each object's stored form (``s<i>``, and ``d<i>`` the domain of an https
    URL) and ``ok``: the row is certain; with ``objmap`` joined when there is one."""
    cols: list[str] = []
    joins: list[str] = []
    checks = ["ok0"]
    for i, kind in kinds:
        if kind == "repost":
            continue
        o = f"o{i}"
        other = "NULL::VARCHAR"
        if mapped:
            joins.append(
                f"LEFT JOIN objmap m{i} ON NOT r.plain AND m{i}.kind = {quote(kind)} "
                f"AND m{i}.value = {o}"
            )
            other = f"m{i}.stored"
            checks.append(f"({o} IS NULL OR s{i} IS NOT NULL)")
        cols.append(
            f"CASE WHEN {o} IS NULL THEN NULL WHEN plain OR regexp_full_match({o}, '[0-9]+') "
            f"THEN {quote(_PREFIX[kind])} || {o} ELSE {other} END AS s{i}"
        )
        if kind == "url" and mapped:
            cols.append(f"m{i}.domain AS d{i}")
    if not mapped:
        checks.append("plain")
    return f"""
      SELECT *, {" AND ".join(checks)} AS ok FROM (
        SELECT r.*{"".join(", " + c for c in cols)} FROM r {" ".join(joins)})
    """


def _lists(kinds: list[tuple[int, str]], mapped: bool) -> dict[str, list[str]]:
    """The columns of ``r2`` each post list takes its items from, in the Python order."""
    lists: dict[str, list[str]] = {t: [] for t in _LISTS}
    for i, kind in kinds:
        if kind == "repost":
            continue
        lists[_TARGETS[kind]].append(f"s{i}")
        if kind == "url" and mapped:
            lists["domains"].append(f"d{i}")
    return lists


def _list_sql(items: list[str]) -> str:
    """The non-NULL values of ``items``, in order, as a list."""
    if not items:
        return "[]::VARCHAR[]"
    parts = [f"CASE WHEN {x} IS NULL THEN []::VARCHAR[] ELSE [{x}] END" for x in items]
    return parts[0] if len(parts) == 1 else f"list_concat({', '.join(parts)})"


_UNIQ_MACRO = (
    "CREATE TEMP MACRO list_distinct_ordered(l) AS "
    "CASE WHEN len(l) < 2 THEN l ELSE list_filter(l, lambda x, i: list_position(l, x) = i) END"
)

# Post ids that more than one row has, and those groups: "ok" when the SQL may build the post
_GROUPS_SQL = """
  CREATE TEMP TABLE dup AS SELECT h FROM r GROUP BY h HAVING count(*) > 1;
  CREATE TEMP TABLE g AS SELECT h, min(_r) AS first, count(*) AS n,
    coalesce(bool_and(ok) AND min(pid) = max(pid) AND min(acc) = max(acc)
      AND min(us) = max(us) AND (count(repost) = 0 OR min(repost) = max(repost)), false) AS ok
  FROM r2 SEMI JOIN dup USING (h) GROUP BY h
"""


def _posts_sql(lists: dict[str, list[str]], default_platform: str, *, single: bool) -> str:
    """The posts of the certain single-row groups (``single``) or of the other certain groups."""
    platform = "CASE " + " ".join(
        f"WHEN starts_with(acc, {quote(prefix)}) THEN {quote(name)}"
        for prefix, name in coortweet.PREFIXES.items()
    )
    platform += f" ELSE {quote(default_platform)} END"
    # a list without repeats, as the keys of Python's dicts (a list of one item has none)
    distinct = {
        name: f"list_distinct_ordered({name})" if len(cols) > 1 or not single else name
        for name, cols in lists.items()
    }
    if single:
        items = ", ".join(f"{_list_sql(cols)} AS {name}" for name, cols in lists.items())
        # the rows of repeated post ids are dropped afterwards (see ``read_tables``): a join
        # here would lose the scan's row order
        inner = f"SELECT _r, h, pid, acc, us, repost, {items} FROM r2 WHERE ok"
    else:
        # (the lists are de-duplicated outside the aggregate: DuckDB 2.0 fails to plan the
        # lambda of the macro inside it, "BoundReferenceExpression should not be used here")
        items = ", ".join(
            f"flatten(list({_list_sql(cols)} ORDER BY r2._r)) AS {name}"
            for name, cols in lists.items()
        )
        inner = f"""
          SELECT g.first AS _r, NULL::UBIGINT AS h, min(pid) AS pid, min(acc) AS acc,
            min(us) AS us, min(repost) AS repost, {items}
          FROM r2 JOIN g USING (h) WHERE g.ok GROUP BY g.first
        """
    return f"""
      SELECT _r, h, {platform} AS platform, pid AS post_id, acc AS account_id,
        NULL::VARCHAR AS account_handle, us, NULL::VARCHAR AS text, NULL::VARCHAR AS lang,
        {distinct["urls"]} AS urls, {distinct["domains"]} AS domains,
        {distinct["hashtags"]} AS hashtags, []::VARCHAR[] AS mentions, NULL::VARCHAR AS reply_to,
        repost AS repost_of, NULL::VARCHAR AS quote_of, {distinct["media"]} AS media,
        NULL::BIGINT AS views,
        NULL::BIGINT AS likes, NULL::BIGINT AS reposts, NULL::BIGINT AS replies,
        NULL::BIGINT AS quotes, $collected::TIMESTAMPTZ AS collected_at
      FROM ({inner})
    """


_SLOW_SQL = """
  SELECT _r FROM r2 ANTI JOIN dup USING (h) WHERE NOT ok
  UNION ALL SELECT r2._r FROM r2 JOIN g USING (h) WHERE NOT g.ok
  ORDER BY _r
"""


def _plain_cells(path: Path) -> bool:
    """Whether no cell of a (strictly quoted) CSV file can have whitespace at its edges.

    True when the file has no whitespace but its line ends: no space, tab or other control
    byte, a carriage return only before a newline, no newline inside quotes, and none of
    the non-ASCII characters Python's ``str.strip`` removes. Then every value is stripped
    already, and the SQL need not check each cell.
    """
    size = path.stat().st_size
    data = np.memmap(path, dtype=np.uint8, mode="r")
    quotes: list[np.ndarray] = []
    newlines: list[np.ndarray] = []
    try:
        for i in range(0, size, _BLOCK):
            block = np.asarray(data[i : i + _BLOCK + 2])  # two bytes beyond, for sequences
            core = block[: min(_BLOCK, size - i)]
            newline = core == 10
            low = np.count_nonzero(core <= 32)  # whitespace and other control bytes
            n_cr = np.count_nonzero(core == 13) if low > np.count_nonzero(newline) else 0
            if low > np.count_nonzero(newline) + n_cr:
                return False
            padded = np.concatenate((block, np.zeros(2, dtype=np.uint8)))
            if n_cr:
                cr = np.flatnonzero(core == 13)
                if (padded[cr + 1] != 10).any():
                    return False
            if np.count_nonzero((core - np.uint8(0xC2)) <= 0xE3 - 0xC2):  # lead bytes C2..E3
                lead = np.flatnonzero((core == 0xC2) | ((core >= 0xE1) & (core <= 0xE3)))
                if _unicode_space(core[lead], padded[lead + 1], padded[lead + 2]):
                    return False
            if np.count_nonzero(core == 34):
                quotes.append(np.flatnonzero(core == 34) + i)
                newlines.append(np.flatnonzero(newline) + i)
    finally:
        del data
    if not quotes:
        return True
    # a newline after an odd number of quotes is inside a quoted cell
    q, nl = np.concatenate(quotes), np.concatenate(newlines)
    return not bool((np.searchsorted(q, nl) % 2).any())


def _unicode_space(b0: np.ndarray, b1: np.ndarray, b2: np.ndarray) -> bool:
    """Whether any of these UTF-8 sequences is a non-ASCII whitespace character."""
    hit = (b0 == 0xC2) & ((b1 == 0x85) | (b1 == 0xA0))  # U+0085, U+00A0
    hit |= (b0 == 0xE1) & (b1 == 0x9A) & (b2 == 0x80)  # U+1680
    hit |= (  # U+2000-U+200A, U+2028, U+2029, U+202F
        (b0 == 0xE2)
        & (b1 == 0x80)
        & (((b2 >= 0x80) & (b2 <= 0x8A)) | (b2 == 0xA8) | (b2 == 0xA9) | (b2 == 0xAF))
    )
    hit |= (b0 == 0xE2) & (b1 == 0x81) & (b2 == 0x9F)  # U+205F
    hit |= (b0 == 0xE3) & (b1 == 0x80) & (b2 == 0x80)  # U+3000
    return bool(hit.any())


def _columns_agree(path: Path, inp: ColumnarInput) -> bool:
    """DuckDB named the columns as the Python reader does (it strips CSV header names and
    keeps names DuckDB would rename), and a CSV has two columns at least (Python skips a
    one-column row that is blank, DuckDB reads it)."""
    if inp.kind == "parquet":
        return tuple(pq.read_schema(path).names) == inp.columns
    with path.open("rb") as fh:
        first = fh.readline().decode("utf-8", errors="replace")
    return len(inp.columns) > 1 and csv_header(first) == inp.columns


def read_tables(path: Path, options: ReadOptions, batch_size: int) -> list[Batch] | None:
    """Posts, rejects and merged-row counts of a whole share table, or ``None`` (use ``read``)."""
    coortweet.check_object_kind(options)
    if options.span is not None:
        return None
    kind = input_kind(path)
    if kind not in ("csv", "parquet"):
        return None
    plain = kind == "csv" and _plain_cells(path)
    con = duckdb_connection()
    try:
        inp = load_input(con, path, kind)
        if inp is None or not _columns_agree(path, inp):
            return None
        types = {name: str(t) for name, t, *_ in con.execute("DESCRIBE src").fetchall()}
        kinds = _kinds(inp, options)
        rows = _rows_sql(types, kinds, plain)
        if rows is None:
            return None
        con.execute(f"CREATE TEMP TABLE r AS {rows}")
        ((unsure,),) = con.execute("SELECT count(*) FROM r WHERE NOT pid_sure").fetchall()
        if unsure:
            return None  # a post id the SQL cannot write as Python does: groups are unknown
        mapped = _object_map(con, kinds)
        objects = _objects_sql(kinds, mapped)
        con.execute(f"CREATE TEMP {'TABLE' if mapped else 'VIEW'} r2 AS {objects}")
        con.execute(_UNIQ_MACRO)
        con.execute(_GROUPS_SQL)
        lists = _lists(kinds, mapped)
        params = {"collected": options.collected_at}
        default = options.platform or "unknown"
        single = con.sql(_posts_sql(lists, default, single=True), params=params).to_arrow_table()
        dup = con.sql("SELECT h FROM dup").to_arrow_table().column("h")
        multi = con.sql(_posts_sql(lists, default, single=False), params=params).to_arrow_table()
        ((merged,),) = con.execute("SELECT coalesce(sum(n - 1), 0) FROM g WHERE ok").fetchall()
        slow = con.sql(_SLOW_SQL).to_arrow_table()
        cells = None
        if inp.kind == "csv" and slow.num_rows:
            con.register("slow_arrow", slow)
            cells = con.sql(
                "SELECT src.* FROM src JOIN slow_arrow s ON src.rowid = s._r ORDER BY s._r"
            ).to_arrow_table()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if len(dup):
        single = single.filter(pc.invert(pc.is_in(single.column("h"), value_set=dup)))
    multi = multi.sort_by("_r")
    slow_rows = np.asarray(slow.column("_r").to_numpy(), dtype=np.int64)
    return _assemble(path, inp, options, [single, multi], slow_rows, cells, int(merged), batch_size)


def _slow_records(path: Path, kind: str, rows: np.ndarray, cells: pa.Table | None) -> list[Any]:
    """The rows to replay, as the Python reader sees them."""
    if not len(rows):
        return []
    if kind == "parquet":
        # as ``tabular.iter_parquet_rows`` reads them: pyarrow's own Python values
        records: list[Any] = pq.read_table(path).take(pa.array(rows)).to_pylist()
        return records
    assert cells is not None
    return [{k: "" if x is None else x for k, x in rec.items()} for rec in cells.to_pylist()]


def _assemble(
    path: Path,
    inp: ColumnarInput,
    options: ReadOptions,
    sql_posts: list[pa.Table],
    slow_rows: np.ndarray,
    cells: pa.Table | None,
    merged: int,
    batch_size: int,
) -> list[Batch]:
    """SQL posts and the replayed groups' posts in order of first appearance, in batches."""
    source = str(path)
    lines = inp.lines
    tables = [posts_from_sql(t, source, lines, "us") for t in sql_posts if t.num_rows]
    starts = [t.column("_r").to_numpy() for t in sql_posts if t.num_rows]
    shares: dict[str, coortweet.Share] = {}
    started: list[int] = []  # the row that started each replayed post
    rejects: list[Reject] = []
    skipped: Counter[str] = Counter()
    if merged:
        skipped[coortweet.MERGED] = merged
    records = _slow_records(path, inp.kind, slow_rows, cells)
    for r, row in zip(slow_rows.tolist(), records, strict=True):
        before = len(shares)
        item = coortweet.merge_row_item(shares, row, Where(source, int(lines[r]), None), options)
        if len(shares) > before:
            started.append(r)
        if isinstance(item, Reject):
            rejects.append(item)
        elif item is not None:
            skipped[item.kind] += 1
    if shares:
        slow_posts: list[Post] = [
            coortweet.share_post(pid, share, options) for pid, share in shares.items()
        ]
        tables.append(posts_to_table(slow_posts))
        starts.append(np.asarray(started, dtype=np.int64))
    posts = pa.concat_tables(tables) if tables else POST_SCHEMA.empty_table()
    if len(tables) > 1:
        # read() yields posts in the order their first accepted row came
        order = np.concatenate(starts)
        if not bool((order[1:] > order[:-1]).all()):
            posts = posts.take(pa.array(np.argsort(order, kind="stable")))
    return to_batches(
        posts, ACCOUNT_SCHEMA.empty_table(), rejects_to_table(rejects), 0, batch_size, skipped
    )
