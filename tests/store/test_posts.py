"""The Parquet + DuckDB post store: keys, snapshots, quarantine, read-only SQL, locking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lagebild.errors import QueryError, StoreLockedError
from lagebild.model import (
    Account,
    AccountRef,
    Finding,
    Post,
    PostRef,
    Reject,
    accounts_to_table,
    posts_to_table,
    rejects_to_table,
    table_to_findings,
    table_to_posts,
)
from lagebild.store import PostStore

T0 = dt.datetime(2021, 9, 20, 8, 0, tzinfo=dt.UTC)


def post(post_id: str, platform: str = "twitter", text: str = "x") -> Post:
    return Post(
        platform=platform,
        post_id=post_id,
        account_id="a1",
        account_handle="alice",
        created_at=T0,
        text=text,
        lang="de",
        urls=("https://example.com/a",),
        domains=("example.com",),
        hashtags=("btw21",),
        mentions=(),
        reply_to=None,
        repost_of=None,
        quote_of=None,
        media=(),
        views=None,
        likes=3,
        reposts=None,
        replies=None,
        quotes=None,
        collected_at=T0,
        source="f.jsonl",
        source_line=1,
    )


def account(followers: int, observed: dt.datetime | None) -> Account:
    return Account(
        platform="twitter",
        account_id="a1",
        handle="alice",
        name="Alice",
        created_at=None,
        followers=followers,
        following=1,
        posts_count=None,
        verified=False,
        description=None,
        labels=(),
        observed_at=observed,
        source="f.jsonl",
    )


def reject(line: int) -> Reject:
    return Reject("f.jsonl", line, 0, "", "t", "broken", "{")


def empty() -> tuple[object, object]:
    return accounts_to_table([]), rejects_to_table([])


def test_empty_store_is_queryable(store: PostStore) -> None:
    assert store.query("SELECT count(*) AS n FROM posts").to_pylist() == [{"n": 0}]
    assert store.query("SELECT count(*) AS n FROM accounts").to_pylist() == [{"n": 0}]


def test_key_deduplicates_within_and_across_batches(store: PostStore) -> None:
    with store.writer() as w:
        r1 = w.write(
            posts_to_table([post("1"), post("2"), post("1", text="later copy")]),
            accounts_to_table([]),
            rejects_to_table([]),
        )
        r2 = w.write(
            posts_to_table([post("2"), post("3"), post("1", platform="mastodon")]),
            accounts_to_table([]),
            rejects_to_table([]),
        )
    assert (r1.stored, r1.duplicates) == (2, 1)
    assert (r2.stored, r2.duplicates) == (2, 1)
    with store.writer() as w:
        r3 = w.write(posts_to_table([post("3")]), accounts_to_table([]), rejects_to_table([]))
    assert (r3.stored, r3.duplicates) == (0, 1)
    rows = store.query("SELECT platform, post_id, text FROM posts ORDER BY ALL").to_pylist()
    assert rows == [
        {"platform": "mastodon", "post_id": "1", "text": "x"},
        {"platform": "twitter", "post_id": "1", "text": "x"},
        {"platform": "twitter", "post_id": "2", "text": "x"},
        {"platform": "twitter", "post_id": "3", "text": "x"},
    ]


def test_posts_round_trip(store: PostStore) -> None:
    original = [post("1"), post("2")]
    with store.writer() as w:
        w.write(posts_to_table(original), accounts_to_table([]), rejects_to_table([]))
    back = table_to_posts(store.query("SELECT * FROM posts ORDER BY post_id"))
    assert back == original


def test_account_snapshots_keep_history_latest_wins(store: PostStore) -> None:
    later = T0 + dt.timedelta(days=1)
    with store.writer() as w:
        w.write(posts_to_table([]), accounts_to_table([account(10, T0)]), rejects_to_table([]))
        res = w.write(
            posts_to_table([]),
            accounts_to_table([account(10, T0), account(20, later), account(20, later)]),
            rejects_to_table([]),
        )
    assert res.accounts_stored == 1
    history = store.query("SELECT followers FROM account_history ORDER BY observed_at").to_pylist()
    assert history == [{"followers": 10}, {"followers": 20}]
    assert store.query("SELECT followers FROM accounts").to_pylist() == [{"followers": 20}]
    with store.writer() as w:
        w.write(posts_to_table([]), accounts_to_table([account(20, None)]), rejects_to_table([]))
    assert store.query("SELECT count(*) AS n FROM account_history").to_pylist() == [{"n": 2}]


def test_quarantine_deduplicates(store: PostStore) -> None:
    with store.writer() as w:
        res = w.write(
            posts_to_table([]), accounts_to_table([]), rejects_to_table([reject(1), reject(1)])
        )
        assert res.quarantined_new == 1
    with store.writer() as w:
        res = w.write(
            posts_to_table([]), accounts_to_table([]), rejects_to_table([reject(1), reject(2)])
        )
    assert res.quarantined_new == 1
    rows = store.query("SELECT line, reason FROM quarantine ORDER BY line").to_pylist()
    assert rows == [{"line": 1, "reason": "broken"}, {"line": 2, "reason": "broken"}]


def test_findings_round_trip(store: PostStore) -> None:
    finding = Finding(
        kind="coordination",
        id="c1",
        created_at=T0,
        score=0.9,
        params={"window": 60},
        posts=(PostRef("twitter", "1"),),
        accounts=(AccountRef("twitter", "a1"),),
        summary="two accounts shared one link within 3 s",
        details={"delta": [3]},
    )
    with store.writer() as w:
        assert w.write_findings([finding, finding]) == 1
    with store.writer() as w:
        assert w.write_findings([finding]) == 0
    assert table_to_findings(store.query("SELECT * FROM findings")) == [finding]


@pytest.mark.parametrize(
    "sql",
    [
        "DROP VIEW posts",
        "CREATE TABLE x AS SELECT 1",
        "COPY (SELECT 1) TO '/tmp/x.csv'",
        "SELECT 1; SELECT 2",
        "SELECT * FROM nowhere",
    ],
)
def test_sql_is_read_only_and_errors_are_wrapped(store: PostStore, sql: str) -> None:
    with pytest.raises(QueryError):
        store.query(sql)


def test_single_writer(store: PostStore) -> None:
    with (
        store.writer(),
        pytest.raises(StoreLockedError, match="another Lagebild process"),
        store.writer(),
    ):
        pass


def test_leftover_temp_files_are_removed(store: PostStore) -> None:
    folder = store.folder("posts")
    folder.mkdir(parents=True)
    leftover = folder / ".tmp-part-1.parquet"
    leftover.write_bytes(b"PAR1 half a file")
    assert store.query("SELECT count(*) AS n FROM posts").to_pylist() == [{"n": 0}]
    with store.writer():
        pass
    assert not leftover.exists()


def test_parts_are_plain_parquet(store: PostStore, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    with store.writer() as w:
        w.write(posts_to_table([post("1")]), accounts_to_table([]), rejects_to_table([]))
    (part,) = store.parts("posts")
    assert pq.read_table(part).num_rows == 1
