"""Synthetic posts in the real shape of every supported export, for the ingest benchmark.

The content is generated (no real data is needed), but each file has exactly the structure the
platform or tool writes: twarc2 response pages, the IO-archive CSV header, CrowdTangle's
column names, a Telegram Desktop ``result.json``, Jetstream events, Mastodon API statuses, a
CooRTweet share table, and a generic CSV. Activity is heavy-tailed (a few accounts post a lot,
a few links are shared often), as in real collections, because that decides cache hit rates.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["GENERATORS", "generate"]

T0 = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
WORDS = [
    "Wahl",
    "Briefwahl",
    "Stimmen",
    "gefälscht",
    "Manipulation",
    "Umfrage",
    "Kanzler",
    "Partei",
    "Bundestag",
    "Demokratie",
    "election",
    "ballots",
    "fraud",
    "rigged",
    "votes",
    "counted",
    "media",
    "truth",
    "Berlin",
    "Sachsen",
    "Wähler",
    "Wahllokal",
    "heute",
    "morgen",
    "alle",
    "wissen",
    "niemand",
    "berichtet",
    "darüber",
    "teilen",
    "bevor",
    "gelöscht",
    "wird",
]
TAGS = ("btw25", "wahlbetrug", "bundestagswahl", "afd", "cdu", "spd", "gruene", "election")
DOMAINS = ("example-news.de", "tagesschau.de", "rt.com", "snanews.de", "youtube.com", "t.me")


class Pools:
    """Heavy-tailed pools of accounts and links, seeded."""

    def __init__(self, seed: int, accounts: int = 20_000, links: int = 50_000) -> None:
        self.rng = random.Random(seed)
        self.n_accounts = accounts
        self.n_links = links

    def account(self) -> int:
        return min(int(self.rng.paretovariate(1.2)) - 1, self.n_accounts - 1)

    def link(self) -> str:
        i = min(int(self.rng.paretovariate(1.1)) - 1, self.n_links - 1)
        return f"https://www.{DOMAINS[i % len(DOMAINS)]}/artikel/{i}?utm_source=tw&id={i % 97}"

    def text(self) -> str:
        words = self.rng.choices(WORDS, k=self.rng.randint(8, 30))
        tags = [f"#{t}" for t in self.rng.sample(TAGS, self.rng.randint(0, 2))]
        return " ".join(words + tags)

    def time(self, i: int, n: int) -> dt.datetime:
        return T0 + dt.timedelta(seconds=int(14 * 86400 * i / n) + self.rng.randint(0, 59))


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def twitter_v2(path: Path, n: int, seed: int = 1) -> None:
    """twarc2 JSONL: response pages of 100 tweets with includes.users and includes.tweets."""
    p = Pools(seed)
    with path.open("w") as fh:
        for start in range(0, n, 100):
            data, users, refs = [], {}, []
            for i in range(start, min(start + 100, n)):
                a = p.account()
                text = p.text()
                link = p.link()
                tweet: dict[str, Any] = {
                    "id": str(10**18 + i),
                    "author_id": str(1000 + a),
                    "created_at": _iso(p.time(i, n)),
                    "conversation_id": str(10**18 + i),
                    "lang": "de",
                    "text": f"{text} https://t.co/x{i % 1000}",
                    "edit_history_tweet_ids": [str(10**18 + i)],
                    "entities": {
                        "urls": [
                            {
                                "start": len(text) + 1,
                                "end": len(text) + 24,
                                "url": f"https://t.co/x{i % 1000}",
                                "expanded_url": link,
                                "display_url": link[8:40],
                            }
                        ],
                        "hashtags": [
                            {"start": 0, "end": 1, "tag": w[1:]}
                            for w in text.split()
                            if w[0] == "#"
                        ],
                    },
                    "public_metrics": {
                        "retweet_count": p.rng.randint(0, 50),
                        "reply_count": p.rng.randint(0, 10),
                        "like_count": p.rng.randint(0, 200),
                        "quote_count": 0,
                        "bookmark_count": 0,
                        "impression_count": p.rng.randint(0, 10000),
                    },
                }
                if p.rng.random() < 0.3 and i > 0:
                    orig = str(10**18 + p.rng.randrange(i))
                    tweet["referenced_tweets"] = [{"type": "retweeted", "id": orig}]
                    refs.append(orig)
                data.append(tweet)
                users[a] = {
                    "id": str(1000 + a),
                    "username": f"user_{a}",
                    "name": f"User {a}",
                    "created_at": "2019-05-01T10:00:00.000Z",
                    "verified": False,
                    "description": "Patriot. Wahrheit.",
                    "public_metrics": {
                        "followers_count": a * 7 % 5000,
                        "following_count": 100 + a % 400,
                        "tweet_count": 1000 + a,
                        "listed_count": 0,
                    },
                }
            page = {
                "data": data,
                "includes": {"users": list(users.values())},
                "meta": {"result_count": len(data), "newest_id": data[0]["id"]},
                "__twarc": {
                    "url": "https://api.twitter.com/2/tweets/search/all",
                    "version": "2.14.0",
                    "retrieved_at": "2025-02-20T12:00:00+00:00",
                },
            }
            fh.write(json.dumps(page, ensure_ascii=False) + "\n")


IO_COLUMNS = [
    "tweetid",
    "userid",
    "user_display_name",
    "user_screen_name",
    "user_reported_location",
    "user_profile_description",
    "user_profile_url",
    "follower_count",
    "following_count",
    "account_creation_date",
    "account_language",
    "tweet_language",
    "tweet_text",
    "tweet_time",
    "tweet_client_name",
    "in_reply_to_userid",
    "in_reply_to_tweetid",
    "quoted_tweet_tweetid",
    "is_retweet",
    "retweet_userid",
    "retweet_tweetid",
    "latitude",
    "longitude",
    "quote_count",
    "reply_count",
    "like_count",
    "retweet_count",
    "hashtags",
    "urls",
    "user_mentions",
    "poll_choices",
]


def twitter_io(path: Path, n: int, seed: int = 2) -> None:
    """An information-operations archive CSV."""
    p = Pools(seed)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(IO_COLUMNS)
        for i in range(n):
            a = p.account()
            text = p.text()
            rt = p.rng.random() < 0.4 and i > 0
            tags = "[" + ", ".join(t[1:] for t in text.split() if t[0] == "#") + "]"
            w.writerow(
                [
                    str(10**18 + i),
                    f"{a:064x}",
                    f"Konto {a}",
                    f"{a:064x}",
                    "Deutschland",
                    "",
                    "",
                    a % 3000,
                    50 + a % 100,
                    "2019-03-01",
                    "de",
                    "de",
                    text,
                    p.time(i, n).strftime("%Y-%m-%d %H:%M"),
                    "Twitter Web App",
                    "",
                    "",
                    "",
                    "True" if rt else "False",
                    "" if not rt else "12",
                    "" if not rt else str(10**18 + p.rng.randrange(i)),
                    "absent",
                    "absent",
                    0,
                    0,
                    p.rng.randint(0, 40),
                    p.rng.randint(0, 20),
                    tags,
                    f"[{p.link()}]",
                    "[]",
                    "",
                ]
            )


CT_COLUMNS = [
    "Page Name",
    "User Name",
    "Facebook Id",
    "Page Category",
    "Page Admin Top Country",
    "Page Description",
    "Page Created",
    "Likes at Posting",
    "Followers at Posting",
    "Post Created",
    "Post Created Date",
    "Post Created Time",
    "Type",
    "Total Interactions",
    "Likes",
    "Comments",
    "Shares",
    "Love",
    "Wow",
    "Haha",
    "Sad",
    "Angry",
    "Care",
    "Video Share Status",
    "Is Video Owner?",
    "Post Views",
    "Total Views",
    "Total Views For All Crossposts",
    "Video Length",
    "URL",
    "Message",
    "Link",
    "Final Link",
    "Image Text",
    "Link Text",
    "Description",
    "Sponsor Id",
    "Sponsor Name",
    "Sponsor Category",
]


def crowdtangle(path: Path, n: int, seed: int = 3) -> None:
    """A CrowdTangle Facebook export."""
    p = Pools(seed, accounts=5_000)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CT_COLUMNS)
        for i in range(n):
            a = p.account()
            t = p.time(i, n) + dt.timedelta(hours=1)
            link = p.link()
            w.writerow(
                [
                    f"Seite {a}",
                    f"seite{a}",
                    100000 + a,
                    "POLITICAL_ORGANIZATION",
                    "DE",
                    "Nachrichten",
                    "2015-01-01 10:00:00",
                    1000 + a,
                    1200 + a,
                    t.strftime("%Y-%m-%d %H:%M:%S") + " CET",
                    t.strftime("%Y-%m-%d"),
                    t.strftime("%H:%M:%S"),
                    "Link",
                    30,
                    20,
                    5,
                    3,
                    1,
                    0,
                    0,
                    0,
                    1,
                    0,
                    "",
                    "",
                    "",
                    0,
                    0,
                    "",
                    f"https://www.facebook.com/seite{a}/posts/{5 * 10**15 + i}",
                    p.text(),
                    link,
                    link,
                    "",
                    "Artikel",
                    "",
                    "",
                    "",
                    "",
                ]
            )


def telegram(path: Path, n: int, seed: int = 4) -> None:
    """A Telegram Desktop channel export (``result.json``)."""
    p = Pools(seed)
    messages = []
    for i in range(n):
        t = p.time(i, n)
        link = p.link()
        text = p.text()
        messages.append(
            {
                "id": i + 1,
                "type": "message",
                "date": t.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(int(t.timestamp())),
                "from": "Wahrheit Kanal",
                "from_id": "channel1500000001",
                "text": [text + " ", {"type": "link", "text": link}],
                "text_entities": [
                    {"type": "plain", "text": text + " "},
                    {"type": "link", "text": link},
                ],
            }
        )
    doc = {
        "name": "Wahrheit Kanal",
        "type": "public_channel",
        "id": 1500000001,
        "messages": messages,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1))


def bluesky(path: Path, n: int, seed: int = 5) -> None:
    """Jetstream events: posts with link facets, and reposts."""
    p = Pools(seed)
    with path.open("w") as fh:
        for i in range(n):
            a = p.account()
            t = p.time(i, n)
            did = f"did:plc:{a:024x}"
            if p.rng.random() < 0.3 and i > 0:
                j = p.rng.randrange(i)
                record: dict[str, Any] = {
                    "$type": "app.bsky.feed.repost",
                    "createdAt": _iso(t),
                    "subject": {
                        "uri": f"at://did:plc:{j:024x}/app.bsky.feed.post/3k{j:011d}",
                        "cid": "bafyreib",
                    },
                }
                collection = "app.bsky.feed.repost"
            else:
                text = p.text()
                link = p.link()
                full = f"{text} {link}"
                start = len(text.encode()) + 1
                record = {
                    "$type": "app.bsky.feed.post",
                    "createdAt": _iso(t),
                    "langs": ["de"],
                    "text": full,
                    "facets": [
                        {
                            "index": {"byteStart": start, "byteEnd": start + len(link)},
                            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}],
                        }
                    ],
                }
                collection = "app.bsky.feed.post"
            event = {
                "did": did,
                "time_us": int(t.timestamp() * 1e6),
                "kind": "commit",
                "commit": {
                    "rev": f"3l{i:011d}",
                    "operation": "create",
                    "collection": collection,
                    "rkey": f"3k{i:011d}",
                    "record": record,
                    "cid": f"bafyrei{i:020d}",
                },
            }
            fh.write(json.dumps(event, ensure_ascii=False) + "\n")


def mastodon(path: Path, n: int, seed: int = 6) -> None:
    """Mastodon API statuses as JSON Lines (one status per line)."""
    p = Pools(seed)
    with path.open("w") as fh:
        for i in range(n):
            a = p.account()
            t = p.time(i, n)
            link = p.link()
            status: dict[str, Any] = {
                "id": str(110000000000000000 + i),
                "created_at": _iso(t),
                "in_reply_to_id": None,
                "in_reply_to_account_id": None,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": "public",
                "language": "de",
                "uri": f"https://social.example/users/u{a}/statuses/{110000000000000000 + i}",
                "url": f"https://social.example/@u{a}/{110000000000000000 + i}",
                "replies_count": 0,
                "reblogs_count": p.rng.randint(0, 9),
                "favourites_count": p.rng.randint(0, 30),
                "content": f'<p>{p.text()} <a href="{link}" rel="nofollow noopener" '
                f'target="_blank">{link}</a></p>',
                "reblog": None,
                "account": {
                    "id": str(109000000000000000 + a),
                    "username": f"u{a}",
                    "acct": f"u{a}",
                    "display_name": f"U {a}",
                    "bot": False,
                    "created_at": "2022-11-01T00:00:00.000Z",
                    "note": "<p>Bürger</p>",
                    "url": f"https://social.example/@u{a}",
                    "followers_count": a % 900,
                    "following_count": 40,
                    "statuses_count": 500 + a,
                },
                "media_attachments": [],
                "mentions": [],
                "tags": [],
                "emojis": [],
                "card": None,
                "poll": None,
            }
            fh.write(json.dumps(status, ensure_ascii=False) + "\n")


def coortweet(path: Path, n: int, seed: int = 7) -> None:
    """A CooRTweet share table with the German-election columns (one row per object)."""
    p = Pools(seed)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["account_id", "post_id", "url_id", "hashtag_id", "domain_id", "phash_id", "timestamp"]
        )
        for i in range(n):
            a = p.account()
            ts = p.time(i, n).timestamp()
            u = p.rng.randrange(50_000)
            w.writerow([f"fb_{a}" if a % 2 else f"tw_{a}", i, u, "", u % 700, "", ts])


def generic(path: Path, n: int, seed: int = 8) -> None:
    """A flat CSV already using the canonical column names."""
    p = Pools(seed)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["platform", "post_id", "account_id", "created_at", "text", "urls", "likes"])
        for i in range(n):
            w.writerow(
                [
                    "vk",
                    i,
                    f"u{p.account()}",
                    p.time(i, n).isoformat(),
                    p.text(),
                    p.link(),
                    p.rng.randint(0, 99),
                ]
            )


def generic_jsonl(path: Path, n: int, seed: int = 9) -> None:
    """Flat JSON Lines already using the canonical field names."""
    p = Pools(seed)
    with path.open("w") as fh:
        for i in range(n):
            fh.write(
                json.dumps(
                    {
                        "platform": "vk",
                        "post_id": str(i),
                        "account_id": f"u{p.account()}",
                        "created_at": p.time(i, n).isoformat(),
                        "text": p.text(),
                        "urls": [p.link()],
                        "likes": p.rng.randint(0, 99),
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


#: name -> (format, file suffix, generator)
GENERATORS: dict[str, tuple[str, str, Callable[[Path, int], None]]] = {
    "twitter-v2 pages": ("twitter-v2", ".jsonl", twitter_v2),
    "twitter-io csv": ("twitter-io", ".csv", twitter_io),
    "crowdtangle csv": ("crowdtangle", ".csv", crowdtangle),
    "telegram json": ("telegram", ".json", telegram),
    "bluesky jetstream": ("bluesky", ".jsonl", bluesky),
    "mastodon jsonl": ("mastodon", ".jsonl", mastodon),
    "coortweet csv": ("coortweet", ".csv", coortweet),
    "generic csv": ("generic", ".csv", generic),
    "generic jsonl": ("generic", ".jsonl", generic_jsonl),
}


def generate(name: str, folder: Path, n: int) -> Path:
    """Write ``n`` posts of one benchmark format into ``folder`` (reused if present)."""
    _fmt, suffix, fn = GENERATORS[name]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name.replace(' ', '_')}_{n}{suffix}"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        fn(tmp, n)
        tmp.rename(path)
    return path
