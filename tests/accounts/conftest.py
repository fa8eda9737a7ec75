"""Fixtures of the account tests: the IRA example in a store, hand-made posts and accounts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from lagebild.ingest.pipeline import ingest
from lagebild.model import (
    Account,
    Post,
    accounts_to_table,
    posts_to_table,
    rejects_to_table,
)
from lagebild.plugins import Registry
from lagebild.store import PostStore
from tests.conftest import EXAMPLES
from tests.factories import make_post

IRA_CSV = EXAMPLES / "ira538" / "ira_german_2016.csv"
T0 = dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def ira_store(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> PostStore:
    """The 300 IRA example tweets, ingested once with the real reader (do not write to it)."""
    store = PostStore(tmp_path_factory.mktemp("ira") / "data")
    ingest(store, [IRA_CSV], registry=registry, workers=1)
    return store


def post(post_id: str, account: str, at: dt.datetime, **fields: Any) -> Post:
    """A post with only the fields a test cares about."""
    return make_post(post_id, account, at, **{"source": "hand.jsonl", **fields})


def account(account_id: str, **fields: Any) -> Account:
    """An account snapshot with only the fields a test cares about."""
    values: dict[str, Any] = {
        "platform": "twitter",
        "account_id": account_id,
        "handle": None,
        "name": None,
        "created_at": None,
        "followers": None,
        "following": None,
        "posts_count": None,
        "verified": None,
        "description": None,
        "labels": (),
        "observed_at": None,
        "source": "hand.jsonl",
    }
    values.update(fields)
    return Account(**values)


def write(store: PostStore, posts: list[Post], accounts: list[Account] | None = None) -> None:
    """Store posts and account snapshots with the store's real writer."""
    with store.writer() as w:
        w.write(posts_to_table(posts), accounts_to_table(accounts or []), rejects_to_table([]))


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A canonical JSON Lines file (read by the generic reader)."""
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
