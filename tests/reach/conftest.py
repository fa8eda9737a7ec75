"""Stores for the reach tests: real-format examples, hand-made posts, findings, decisions."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from lagebild.ingest.pipeline import ingest
from lagebild.model import (
    Account,
    AccountRef,
    Finding,
    Post,
    PostRef,
    accounts_to_table,
    posts_to_table,
    rejects_to_table,
)
from lagebild.plugins import Registry
from lagebild.store import PostStore
from tests.conftest import EXAMPLES
from tests.factories import make_post

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)

#: X API v2 search pages (views = impression_count, retweets copying their original's
#: retweet_count), CrowdTangle (likes, shares, comments; rarely views), IRA (no counts at all,
#: follower counts at every tweet).
V2 = EXAMPLES / "twitter_v2" / "btw25-search.jsonl"
CROWDTANGLE = EXAMPLES / "crowdtangle" / "europawahl2024_facebook.csv"
IRA = EXAMPLES / "ira538" / "ira_german_2016.csv"


@pytest.fixture(scope="session")
def examples_dir(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Path:
    """A store with the three example files, ingested once per session (do not write to it)."""
    data = tmp_path_factory.mktemp("reach") / "data"
    ingest(PostStore(data), [V2, CROWDTANGLE, IRA], registry=registry, workers=1)
    return data


@pytest.fixture
def examples(examples_dir: Path) -> PostStore:
    """The example store, read-only."""
    return PostStore(examples_dir)


@pytest.fixture
def examples_copy(examples_dir: Path, tmp_path: Path) -> PostStore:
    """A private copy of the example store, for tests that add findings or decisions."""
    target = tmp_path / "data"
    shutil.copytree(examples_dir, target, ignore=shutil.ignore_patterns(".lock"))
    return PostStore(target)


def post(
    post_id: str,
    account: str,
    minutes: float,
    *,
    platform: str = "twitter",
    repost_of: str | None = None,
    views: int | None = None,
    likes: int | None = None,
    reposts: int | None = None,
    replies: int | None = None,
    quotes: int | None = None,
    hashtags: tuple[str, ...] = (),
) -> Post:
    """A post ``minutes`` after :data:`T0`."""
    return make_post(
        post_id,
        account,
        T0 + dt.timedelta(minutes=minutes),
        platform=platform,
        account_handle=f"h_{account}",
        text=f"text {post_id}",
        lang="de",
        hashtags=hashtags,
        repost_of=repost_of,
        views=views,
        likes=likes,
        reposts=reposts,
        replies=replies,
        quotes=quotes,
        source="hand-made",
    )


def account(
    account_id: str, followers: int | None, minutes: float | None, platform: str = "twitter"
) -> Account:
    """A snapshot of an account with ``followers`` observed ``minutes`` after T0 (None: undated)."""
    return Account(
        platform=platform,
        account_id=account_id,
        handle=f"h_{account_id}",
        name=None,
        created_at=None,
        followers=followers,
        following=None,
        posts_count=None,
        verified=None,
        description=None,
        labels=(),
        observed_at=None if minutes is None else T0 + dt.timedelta(minutes=minutes),
        source="hand-made",
    )


def write(store: PostStore, posts: Sequence[Post], accounts: Sequence[Account] = ()) -> None:
    """Store hand-made posts and account snapshots."""
    with store.writer() as writer:
        writer.write(
            posts_to_table(list(posts)), accounts_to_table(list(accounts)), rejects_to_table([])
        )


def claim_match(finding_id: str, factcheck_id: str, platform: str, post_id: str) -> Finding:
    """A ``claim_match`` finding as :mod:`lagebild.claims.service` writes it."""
    return Finding(
        kind="claim_match",
        id=finding_id,
        created_at=T0,
        score=0.95,
        params={},
        posts=(PostRef(platform, post_id),),
        accounts=(),
        summary=f"{platform} post {post_id} repeats a claim",
        details={
            "factcheck_id": factcheck_id,
            "claim": "Briefwahlstimmen werden vernichtet",
            "verdict": "false",
            "decision": "auto",
        },
    )


def community(
    finding_id: str,
    accounts: Sequence[tuple[str, str]],
    first: str | None,
    last: str | None,
    evidence: Sequence[tuple[str, str]] = (),
) -> Finding:
    """A ``coordination_community`` finding as :mod:`lagebild.coordination.evidence` writes it."""
    return Finding(
        kind="coordination_community",
        id=finding_id,
        created_at=T0,
        score=10.0,
        params={},
        posts=tuple(PostRef(*p) for p in evidence),
        accounts=tuple(AccountRef(*a) for a in accounts),
        summary=f"{len(accounts)} accounts acted together",
        details={"first": first, "last": last, "platforms": ["twitter"]},
    )
