"""The columnar (DuckDB) path must give exactly what the per-record path gives.

Python's ``normalize`` is the authority; the SQL is an optimisation. These tests run both on
the fixtures, the examples and on generated tables full of edge cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagebild.ingest import (
    columnar,
    crowdtangle,
    crowdtangle_sql,
    generic,
    generic_sql,
    twitter_io,
    twitter_io_sql,
)
from lagebild.ingest.base import ReadOptions
from lagebild.ingest.columnar import input_kind, record_lines_csv, record_lines_jsonl
from lagebild.ingest.pipeline import read_batches
from lagebild.ingest.sql_rules import quote
from lagebild.model import table_to_posts
from tests.conftest import EXAMPLES, FIXTURES

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def both(path: Path, options: ReadOptions) -> tuple[Any, Any]:
    """(posts, rejects) of the per-record path and of the columnar path (None if it declined)."""
    exact = list(read_batches(generic.FORMAT, path, options, 10_000))
    fast = generic_sql.read_tables(path, options, 10_000)

    def unpack(batches: Any) -> tuple[Any, Any]:
        posts = [p for b in batches for p in table_to_posts(b.posts)]
        rejects = sorted((r["line"], r["reason"]) for b in batches for r in b.rejects.to_pylist())
        return posts, rejects

    return unpack(exact), (unpack(fast) if fast is not None else None)


def test_same_on_samples(tmp_path: Path) -> None:
    path = EXAMPLES / "generic" / "canonical.jsonl"
    exact, fast = both(path, ReadOptions(collected_at=NOW))
    assert fast == exact
    # the fixture's last line is not JSON: the columnar path declines, the exact one rejects
    fixture = FIXTURES / "generic" / "canonical.jsonl"
    assert generic_sql.read_tables(fixture, ReadOptions(), 100) is None
    lines = fixture.read_text().splitlines()[:-1]
    clean = tmp_path / "clean.jsonl"
    clean.write_text("\n".join(lines) + "\n")
    exact, fast = both(clean, ReadOptions(collected_at=NOW))
    assert fast == exact
    assert [line for line, _ in exact[1]] == [3]


def test_same_with_a_mapping_and_time_format() -> None:
    columns, platform, time_format = generic.load_mapping(FIXTURES / "generic" / "mapping.toml")
    opts = ReadOptions(
        mapping=columns, platform=platform, time_format=time_format, collected_at=NOW
    )
    exact, fast = both(FIXTURES / "generic" / "posts.csv", opts)
    assert fast == exact
    assert len(exact[0]) == 2
    assert len(exact[1]) == 2


def test_same_on_csv_dialect_edges(tmp_path: Path) -> None:
    # CRLF line ends, padded header names (Python strips them), a record starting with "#"
    # (no comment sniffing), a quoted line break and a semicolon-rich text
    path = tmp_path / "edges.csv"
    path.write_bytes(
        b"platform, post_id ,account_id,created_at,text\r\n"
        b"x,1,a,2021-01-01,plain\r\n"
        b'#x,2,b,2021-01-02,"two\r\nlines"\r\n'
        b"x,3,c,2021-01-03,a;b;c\r\n"
    )
    exact, fast = both(path, ReadOptions(collected_at=NOW))
    assert fast is not None
    assert fast == exact
    assert [p.post_id for p in exact[0]] == ["1", "2", "3"]
    assert exact[0][1].text == "two\r\nlines"


def test_declines_files_with_structural_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("platform,post_id,account_id,created_at\nx,1,a,2021-01-01\nx,2\n")
    assert generic_sql.read_tables(bad, ReadOptions(), 100) is None
    broken = tmp_path / "bad.jsonl"
    broken.write_text(
        '{"platform": "x", "post_id": 1, "account_id": "a", '
        '"created_at": "2021-01-01T00:00:00Z"}\n{broken\n'
    )
    assert generic_sql.read_tables(broken, ReadOptions(), 100) is None
    # DuckDB reads `a, "b" ,c` as a, b, c; Python's csv module keeps ` "b" `
    loose = tmp_path / "loose.csv"
    loose.write_text('platform,post_id,account_id,created_at,text\nx,1,a,2021-01-01, "b" \n')
    assert generic_sql.read_tables(loose, ReadOptions(), 100) is None
    # Python's csv module keeps the last of two same-named columns, DuckDB renames one
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("platform,post_id,account_id,created_at,text,text\nx,1,a,2021-01-01,a,b\n")
    assert generic_sql.read_tables(repeated, ReadOptions(), 100) is None


def test_jsonl_rows_for_python_are_read_from_their_bytes(tmp_path: Path) -> None:
    # fields are loaded by name; a row the SQL is unsure of (a local time, a count "1,234",
    # a hashtag with "İ") is re-read from its own line, after a BOM, CRLFs and blank lines
    path = tmp_path / "t.jsonl"
    ok = {"platform": "vk", "account_id": "a", "created_at": "2021-01-01T00:00:00Z"}
    rows = [
        {**ok, "post_id": "1", "text": "#Wahl"},
        {**ok, "post_id": "2", "created_at": "2021-01-01 10:00 CEST"},
        {**ok, "post_id": "3", "likes": "1,234"},
        {**ok, "post_id": "4", "text": "#İSTANBUL #ΟΔΟΣ"},
        {**ok, "post_id": "5", "likes": 7},
    ]
    lines = [json.dumps(r, ensure_ascii=i % 2 == 0).encode() for i, r in enumerate(rows)]
    path.write_bytes(b"\xef\xbb\xbf" + b"\r\n\r\n".join(lines) + b"\r\n  \n")
    exact, fast = both(path, ReadOptions(collected_at=NOW))
    assert fast == exact
    assert [p.source_line for p in fast[0]] == [1, 3, 5, 7, 9]
    assert fast[0][3].hashtags == ("i̇stanbul", "οδος")


def test_jsonl_declines_what_duckdb_reads_differently(tmp_path: Path) -> None:
    ok = '"platform": "vk", "account_id": "a", "created_at": "2021-01-01T00:00:00Z"'
    repeated = tmp_path / "repeated.jsonl"  # Python keeps the last "text", DuckDB the first
    repeated.write_text(f'{{{ok}, "post_id": "1", "text": "a", "text": "b"}}\n')
    assert generic_sql.read_tables(repeated, ReadOptions(), 100) is None
    not_object = tmp_path / "array.jsonl"
    not_object.write_text(f'{{{ok}, "post_id": "1"}}\n[1, 2]\n')
    assert generic_sql.read_tables(not_object, ReadOptions(), 100) is None
    # a dotted mapping may name a nested field: those files are read line by line
    nested = tmp_path / "nested.jsonl"
    nested.write_text(f'{{{ok}, "id": {{"str": "9"}}}}\n')
    options = ReadOptions(mapping={"post_id": "id.str"}, collected_at=NOW)
    exact, fast = both(nested, options)
    assert fast == exact and fast is not None and fast[0][0].post_id == "9"


def test_record_lines(tmp_path: Path) -> None:
    c = tmp_path / "a.csv"
    c.write_bytes(b'a,b\r\n1,"x\r\ny"\r\n\r\n2,z\r\n"3",""""\n4,w')
    assert record_lines_csv(c).tolist() == [2, 5, 6, 7]
    j = tmp_path / "a.jsonl"
    j.write_bytes(b'{"a":1}\n\n  \n{"a":2}\n{"a":3}')
    assert record_lines_jsonl(j).tolist() == [1, 4, 5]


@pytest.mark.parametrize(
    "body",
    [
        b"a,b\n1,x\n2,y\n",  # one line per record: the lines are counted, not scanned
        b"a,b\n1,x\n2,y",  # no final newline
        b'a,b\n1,"x\ny"\n2,z\n',  # a newline inside a quoted field
        b"a,b\n1,x\n\n2,y\n",  # a blank line
        b"a,b\r\n1,x\r\n2,y\r\n",
    ],
)
def test_loaded_records_start_on_their_lines(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(body)
    inp = columnar.load_input(duckdb.connect(), path, "csv")
    assert inp is not None
    assert inp.lines.tolist() == record_lines_csv(path).tolist()


_PIECES = [
    *"ab Zü#@_.-/&:?=()[]'\",\t",
    "ß",
    "İ",
    "١",
    "²",
    "…",
    "“",
    "\u00a0",
    "\u2003",
    "http://",
    "https://x.de/",
    "www.",
    "#tag",
    "＃",
    "\x0b",
    "Σ",
    "«",
    "\u3000",
    "@user",
    "Https://y.org/p).",
    "#１",
    "#²",
    "#١٢",
    "#_1",
    "@a@b.c",
    "(https://w.org/A_(b))",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)
_ID = st.one_of(st.text(alphabet="ab1 \t", min_size=0, max_size=4), st.integers(0, 10**6))
_TIME = st.one_of(
    st.datetimes(
        min_value=dt.datetime(1985, 1, 1),
        max_value=dt.datetime(2105, 1, 1),
        timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=2))]),
    ).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M")),
    st.integers(0, 3 * 10**12).map(str),
    st.sampled_from(
        ["", "gestern", "2021-02-30T00:00:00Z", "1600000000.5", "2021-09-20 10:15 CEST"]
    ),
)
_COUNT = st.one_of(
    st.none(),
    st.sampled_from(["", "0", "12", "-1", "1,234", "12.0", "nan", "x", "99999999999999999999"]),
)
_ROW = st.fixed_dictionaries(
    {
        "platform": st.sampled_from(["vk", "VK", "", "Telegram"]),
        "post_id": _ID,
        "account_id": _ID,
        "created_at": _TIME,
        "text": _TEXT,
        "likes": _COUNT,
        "urls": st.one_of(
            st.none(),
            _TEXT,
            st.sampled_from(
                ["[https://a.de/x?utm_source=1, b.org]", "['x.de/a']", "https://T.co/abc"]
            ),
        ),
        "hashtags": st.one_of(st.none(), st.sampled_from(["[A, #b]", "#X,y", "", "[]"])),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_ROW, min_size=1, max_size=12), as_json=st.booleans())
def test_same_on_generated_tables(rows: list[dict[str, Any]], as_json: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if as_json:
            path = Path(tmp) / "t.jsonl"
            path.write_text(
                "".join(
                    json.dumps({k: v for k, v in r.items() if v is not None}) + "\n" for r in rows
                )
            )
        else:
            path = Path(tmp) / "t.csv"
            with path.open("w", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=list(rows[0]))
                w.writeheader()
                for r in rows:
                    w.writerow({k: ("" if v is None else v) for k, v in r.items()})
        exact, fast = both(path, ReadOptions(platform="fallback", collected_at=NOW))
        if fast is not None:
            assert fast == exact


def test_io_archive_same_on_samples() -> None:
    exact, fast = both_formats(
        twitter_io.FORMAT,
        twitter_io_sql.read_tables,
        EXAMPLES / "twitter_io" / "io_archive_sample.csv",
    )
    assert fast == exact
    # the fixture has rows with wrong column counts and bad encoding: the columnar path declines
    assert (
        twitter_io_sql.read_tables(FIXTURES / "twitter_io" / "io_archive.csv", ReadOptions(), 100)
        is None
    )


_IO_VALUE = st.sampled_from(
    [
        "",
        "absent",
        "0",
        "12",
        "12.0",
        " 7",
        "1,234",
        "-1",
        "abc",
        "abc.0",
        "True",
        "false",
        "2021-09-20 08:15",
        "2021-09-20",
        "20.09.2021",
        "[a, #B]",
        "['x.de/a?utm_source=1']",
        "[]",
        "#tag @user https://t.co/x",
        "NaN",
        "None",
        "ABSENT",
        "[x]",
        "[ x ]",
        "[\t]",
        "'y'",
    ]
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_IO_VALUE, min_size=31, max_size=31), min_size=1, max_size=8),
    texts=st.lists(_TEXT, min_size=8, max_size=8),
)
def test_io_archive_same_on_generated_rows(rows: list[list[str]], texts: list[str]) -> None:
    header = list(twitter_io_columns())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "io.csv"
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for i, row in enumerate(rows):
                row = list(row)
                row[header.index("tweet_text")] = texts[i]
                if i % 2:
                    row[header.index("tweetid")] = str(1000 + i)
                    row[header.index("userid")] = "u1"
                    row[header.index("tweet_time")] = "2021-09-20 08:15"
                w.writerow(row)
        exact, fast = both_formats(twitter_io.FORMAT, twitter_io_sql.read_tables, path)
        if fast is not None:
            assert fast == exact


def test_io_archive_rows_for_python_are_read_from_their_bytes(tmp_path: Path) -> None:
    # records over several lines, a blank line, and rows the SQL leaves to Python (a padded
    # count, an unusual time) before, between and after them, alone and in runs
    header = twitter_io_columns()
    path = tmp_path / "io.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(9):
            row = dict.fromkeys(header, "")
            row.update(tweetid=str(100 + i), userid="u1", tweet_time="2021-09-20 08:15")
            row["tweet_text"] = f"line one\nline two {i}" if i % 3 == 0 else f"text {i}"
            if i in (0, 4, 5, 8):
                row["follower_count"] = " 7"
            if i == 6:
                row["tweet_time"] = "20.09.2021 08:15"
            w.writerow([row[h] for h in header])
            if i == 2:
                fh.write("\r\n")
    exact, fast = both_formats(twitter_io.FORMAT, twitter_io_sql.read_tables, path)
    assert fast is not None and fast == exact
    assert [p.source_line for p in fast[0]] == [p.source_line for p in exact[0]]


def twitter_io_columns() -> list[str]:
    from bench.generate import IO_COLUMNS

    return list(IO_COLUMNS)


def both_formats(fmt: Any, fast_reader: Any, path: Path) -> tuple[Any, Any]:
    """(posts, accounts, rejects) of the exact and the columnar path of one format."""
    options = ReadOptions(collected_at=NOW)
    exact = list(read_batches(fmt, path, options, 10_000))
    fast = fast_reader(path, options, 10_000)

    def unpack(batches: Any) -> tuple[Any, Any, Any]:
        posts = [p for b in batches for p in table_to_posts(b.posts)]
        accounts = sorted(
            {
                tuple((k, str(v)) for k, v in a.items() if k != "observed_at")
                for b in batches
                for a in b.accounts.to_pylist()
            }
        )
        rejects = sorted((r["line"], r["reason"]) for b in batches for r in b.rejects.to_pylist())
        return posts, accounts, rejects

    return unpack(exact), (unpack(fast) if fast is not None else None)


def test_crowdtangle_same_on_example() -> None:
    path = EXAMPLES / "crowdtangle" / "europawahl2024_facebook.csv"
    exact, fast = both_formats(crowdtangle.FORMAT, crowdtangle_sql.read_tables, path)
    assert fast == exact


_CT_VALUE = st.sampled_from(
    [
        "",
        "0",
        "12",
        " 7",
        "1,234",
        "x",
        "2021-09-20 13:00:03 CEST",
        "2021-09-20 13:00:03 XYZ",
        "2021-09-20T11:00:03Z",
        "2021-09-20 13:00:03",
        "Video",
        "Link",
        "Live Video Complete",
        "https://www.facebook.com/seite1/posts/55",
        "https://www.facebook.com/posts/posts/56/?x=1",
        "https://www.instagram.com/p/AbC-1#x",
        "https://www.facebook.com/photo.php?fbid=9",
        "https://example.org/a?utm_source=x",
        "100000.0",
        "abc",
    ]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_CT_VALUE, min_size=39, max_size=39), min_size=1, max_size=6),
    texts=st.lists(_TEXT, min_size=6, max_size=6),
    instagram=st.booleans(),
)
def test_crowdtangle_same_on_generated_rows(
    rows: list[list[str]], texts: list[str], instagram: bool
) -> None:
    from bench.generate import CT_COLUMNS

    header = list(CT_COLUMNS)
    if instagram:
        # Instagram exports have one "Description" (the caption), not Facebook's link text
        header[header.index("Description")] = "Link Description"
        header[header.index("Page Name")] = "Account"
        header[header.index("Facebook Id")] = "Views"
        header[header.index("Message")] = "Description"
        header[header.index("Link Text")] = "Photo"
        header[header.index("Post Views")] = "Title"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ct.csv"
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for i, row in enumerate(rows):
                row = list(row)
                text_col = "Description" if instagram else "Message"
                row[header.index(text_col)] = texts[i]
                if i % 2:
                    row[header.index("URL")] = f"https://www.facebook.com/seite{i}/posts/{900 + i}"
                    row[header.index("Post Created")] = "2021-09-20 13:00:03 CEST"
                    if not instagram:
                        row[header.index("Facebook Id")] = str(100 + i)
                    row[header.index("User Name")] = f"seite{i}"
                w.writerow(row)
        exact, fast = both_formats(crowdtangle.FORMAT, crowdtangle_sql.read_tables, path)
        if fast is not None:
            assert fast == exact


_URL_PART = st.sampled_from(
    ["https://", "http://", "h.de", "/", "posts", "p", "permalink", "x", "1", "-", "?", "#", "/?"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_URL_PART, max_size=9).map("".join))
def test_crowdtangle_sql_post_id_is_the_python_one(url: str) -> None:
    head = f"regexp_extract($1, {quote(crowdtangle_sql._COMMON_HEAD)})"
    ((post_id, sure),) = duckdb.execute(
        f"SELECT split_part({head}, '/', -1), {head} <> '' AND regexp_full_match("
        f"substr($1, strlen({head}) + 1), {quote(crowdtangle_sql._COMMON_TAIL)})",
        [url],
    ).fetchall()
    m = crowdtangle._COMMON_ID.match(url)
    assert sure == (m is not None)
    if m:
        assert post_id == m.group(1)


def test_fast_rows_come_in_record_order_whatever_the_table_order() -> None:
    # m holds records 2, 0, 1 in that order: the scan's order is not the record order
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE m AS SELECT * FROM (VALUES (2, 'c', ['https://x.org/c']), "
        "(0, 'a', []::VARCHAR[]), (1, 'b', ['u1', 'u2'])) t(_r, post_id, raw_urls)"
    )
    con.execute(
        "CREATE TABLE m2 AS SELECT _r, false AS _py, 'x' AS platform, post_id, "
        "'acc' AS account_id, NULL AS account_handle, NULL::TIMESTAMPTZ AS created_at, "
        "'' AS text, NULL AS lang, []::VARCHAR[] AS hashtags, []::VARCHAR[] AS mentions, "
        "NULL AS reply_to, NULL AS repost_of, NULL AS quote_of, []::VARCHAR[] AS media, "
        "NULL::BIGINT AS views, NULL::BIGINT AS likes, NULL::BIGINT AS reposts, "
        "NULL::BIGINT AS replies, NULL::BIGINT AS quotes, NULL::TIMESTAMPTZ AS collected_at, "
        "raw_urls FROM m; DROP TABLE m; ALTER TABLE m2 RENAME TO m"
    )
    con.execute(
        "CREATE TABLE links AS SELECT 1 AS _r, ['https://u1.org', 'https://u2.org'] AS urls, "
        "['u1.org', 'u2.org'] AS domains"
    )
    con.execute(
        "CREATE TABLE urls2 AS SELECT 'https://x.org/c' AS raw, 'https://x.org/c' AS url, "
        "'x.org' AS domain"
    )
    mapped = con.sql("SELECT * FROM m").to_arrow_table()
    rows = columnar._fast_rows(con, mapped, ReadOptions(collected_at=NOW))
    assert rows.column("_r").to_pylist() == [0, 1, 2]
    assert rows.column("post_id").to_pylist() == ["a", "b", "c"]
    assert rows.column("collected_at").to_pylist() == [NOW] * 3
    assert rows.column("urls").to_pylist() == [
        [],
        ["https://u1.org", "https://u2.org"],
        ["https://x.org/c"],
    ]


def test_input_kind(tmp_path: Path) -> None:
    """What the columnar path could load; a one-line JSON document of many megabytes is not
    decoded as a would-be CSV header (that took three times the file's memory)."""
    cases = {
        "a.csv": b"id,text\n1,x\n",
        "b.jsonl": b'{"id": 1}\n{"id": 2}\n',
        "c.json": b"[" + b",".join([b'{"text": "' + b"x" * 1000 + b'"}'] * 1100) + b"]",
    }
    kinds = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        kinds[name] = input_kind(tmp_path / name)
    assert kinds == {"a.csv": "csv", "b.jsonl": "jsonl", "c.json": None}
