"""Benchmark posts with planted coordinated groups, for Lagebild versus the coordination toolkit.

    python -m bench.planted --posts 1000000 --days 14 --seed 1 --out /tmp/planted

One seeded generation writes three files into ``--out``:

* ``toolkit.csv`` — the input of coordination-network-toolkit 1.5.2's
  ``preprocess --format csv``: ``message_id, user_id, username, repost_id, reply_id, message,
  timestamp, urls`` (the toolkit reads the columns by position; ``timestamp`` is POSIX seconds,
  ``urls`` space-separated, empty fields are empty strings);
* ``lagebild.csv`` — the same posts for Lagebild's ``generic`` reader: ``platform, post_id,
  account_id, account_handle, created_at, text, urls, repost_of`` (``created_at`` ISO 8601 UTC
  with ``Z``; empty fields are written as empty, i.e. missing);
* ``truth.json`` — the planted groups: ``groups`` ``{group_id: [account_id, ...]}``, ``kinds``
  ``{group_id: kind}`` (``link``, ``retweet``, ``text`` or ``similar_text``), the object of each
  episode, the configuration and the counts.

Why it looks the way it does: a detector comparison is only meaningful if the background has
the same chance co-actions real data has. So the organic background has many accounts with a
heavy-tailed (Zipf) activity, a daily rhythm, retweets of popular posts after a heavy-tailed
delay (viral posts are retweeted by many accounts within a minute of each other — real,
uncoordinated co-retweets), links drawn from a heavy-tailed pool (viral links are shared by
many accounts at random times) with the article title as a common share text, texts drawn
from a Zipf vocabulary, a few mention-only posts. Outside those viral objects, organic
accounts rarely act on the same object within 60 s, and hardly ever twice.

The planted groups (default 32 groups of 5-30 accounts, a quarter per kind) act ``episodes``
times, each time every member with probability ``participation``, all within ``spread``
seconds (default 10 s, well inside a 60 s window): the same new link, a retweet of the same
organic post, the same 15-30 word text, or near-copies of a text of 22-30 distinct words in
which each member replaced one word (two copies differ in at most two words, so the Jaccard
similarity of their word sets is at least 20/24 = 0.83, above the toolkit's 0.8 and Lagebild's
0.7). Planted accounts are ordinary accounts of the pool (not among the 200 most active), so
they also post organic content.

At most one link per post, so the space-separated ``urls`` cell never needs splitting (the
toolkit splits on spaces, Lagebild's generic reader on commas).

Everything is NumPy / Arrow vectorised; only the planted posts (a few thousand) are built in
Python. One million posts take about 9 s here (2 cores), 100,000 about 1 s. For ten million,
the texts are drawn and finished :data:`CHUNK` (2**20) at a time, the rows stay in generation
order until they are written, put in time order :data:`CHUNK` rows at a time: the output is
byte-identical to generating everything at once (the random stream is consumed in the same
order), but only one copy of the texts is ever held. Memory then grows by about 0.3 KB per
post (measured at 100k and 200k posts with small chunks), so ten million posts should need
about 4 GB; all at once it was about 1.2 KB per post. ``--files lagebild`` skips the
toolkit's CSV.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = [
    "CHUNK",
    "FILES",
    "KINDS",
    "LAGEBILD_COLUMNS",
    "TOOLKIT_COLUMNS",
    "Benchmark",
    "Config",
    "generate",
    "main",
    "rows",
    "write",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: The co-action kind each planted group uses.
KINDS = ("link", "retweet", "text", "similar_text")
#: The toolkit's ``preprocess --format csv`` columns, in the order it reads them.
TOOLKIT_COLUMNS = (
    "message_id",
    "user_id",
    "username",
    "repost_id",
    "reply_id",
    "message",
    "timestamp",
    "urls",
)
#: The columns of the CSV for Lagebild's generic reader (canonical field names).
LAGEBILD_COLUMNS = (
    "platform",
    "post_id",
    "account_id",
    "account_handle",
    "created_at",
    "text",
    "urls",
    "repost_of",
)
#: 2025-02-01T00:00:00Z, the start of the generated period.
START = 1_738_368_000
_TWITTER_EPOCH_MS = 1_288_834_974_657
#: Relative posting activity per UTC hour (a European daily rhythm).
_DIURNAL = np.array(
    [2, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 9, 9, 8, 6, 4, 3], dtype=np.float64
)
_COMMON = (
    "die der und in zu den das nicht von sie ist des sich mit dem dass er es ein ich auf "
    "so eine auch als an nach wie im für the to of and a is that for it on was with as "
    "be this are not you at have but by from they we wahl stimmen partei kanzler "
    "bundestag demokratie umfrage election votes media truth heute morgen alle wissen"
)
_SYLLABLES = (
    "ba be bi bo bu da de di do du fa fe fi fo ga ge go ha he hi ka ke ki ko ku la le li "
    "lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti "
    "to tu va ve wa we zi zu sch ein ung ber ter ver"
)
_DOMAINS = (
    "tagesschau.de spiegel.de zeit.de faz.net welt.de bild.de sueddeutsche.de n-tv.de "
    "focus.de t-online.de nytimes.com bbc.co.uk theguardian.com reuters.com youtube.com "
    "apnews.com politico.eu heise.de taz.de stern.de"
)
_CAMPAIGN_DOMAINS = (
    "deutsche-wahrheit.info wahl-fakten24.net freie-stimme-aktuell.org "
    "politik-klartext.de buerger-nachrichten.news echte-news-heute.com"
)
_TAGS = ("btw25", "wahlbetrug", "bundestagswahl", "afd", "cdu", "spd", "gruene", "fdp", "bsw")


@dataclass(frozen=True)
class Config:
    """Every knob of the generator; the defaults are the benchmark's.

    ``accounts`` 0 means ``max(2000, posts // 10)``. Shares are of the organic posts:
    ``retweet_share`` retweets; of the originals, ``url_share`` carry a link, of those
    ``share_text_share`` use the link's title as text, and ``mention_only_share`` of the
    link-less originals are a lone ``@mention`` (an empty text once mentions are stripped).
    """

    posts: int = 1_000_000
    days: int = 14
    groups: int = 32
    min_size: int = 5
    max_size: int = 30
    episodes: int = 6
    participation: float = 0.85
    spread: int = 10
    seed: int = 1
    accounts: int = 0
    retweet_share: float = 0.35
    url_share: float = 0.3
    share_text_share: float = 0.5
    mention_only_share: float = 0.005
    retweet_tail: float = 1.5
    vocabulary: int = 30_000

    def n_accounts(self) -> int:
        """The number of accounts in the pool."""
        return self.accounts or max(2000, self.posts // 10)

    def check(self) -> None:
        """Fail on settings that cannot produce the benchmark."""
        if not 1 <= self.min_size <= self.max_size:
            raise ValueError("need 1 <= min_size <= max_size")
        if self.days < 1 or self.spread < 0 or self.episodes < 1:
            raise ValueError("need days >= 1, spread >= 0, episodes >= 1")
        if self.groups * self.max_size > (self.n_accounts() - 200) // 2:
            raise ValueError("too many planted accounts for the pool: raise posts or accounts")


@dataclass
class Benchmark:
    """One generated data set, its rows in generation order; ``order`` sorts them by time.

    Row ``i`` of the written files is row ``order[i]`` here: the string columns are only put
    in time order chunk by chunk while writing (:func:`rows`), so ten million posts never need
    a second copy of every text. ``account`` indexes ``account_ids`` / ``handles``; ``ts`` is
    POSIX seconds; ``post_id`` the Twitter-like snowflake id; ``repost_of`` indexes the reposted
    row (-1: none); ``text`` and ``url`` are Arrow (chunked) strings, ``url`` null where a post
    has none.
    """

    post_id: I64
    account: I64
    ts: I64
    text: Any
    url: Any
    repost_of: I64
    order: I64
    account_ids: Any
    handles: Any
    truth: dict[str, Any]

    def __len__(self) -> int:
        return len(self.order)


#: Texts (and rows) handled per step: bounds the transient memory of ten million posts.
CHUNK = 1 << 20


def _cdf(n: int, exponent: float, offset: float) -> F64:
    """Cumulative distribution of a Zipf-like law p(rank) ∝ (rank + offset) ** -exponent."""
    w = (np.arange(n, dtype=np.float64) + offset) ** -exponent
    c = np.cumsum(w)
    return np.asarray(c / c[-1], dtype=np.float64)


def _draw(rng: np.random.Generator, cdf: F64, size: int) -> I64:
    """``size`` ranks drawn from a cumulative distribution (in chunks: same draws, less memory)."""
    out = np.empty(size, dtype=np.int64)
    for start in range(0, size, 4 * CHUNK):
        part = out[start : start + 4 * CHUNK]
        idx = np.searchsorted(cdf, rng.random(len(part)), side="right")
        np.minimum(idx, len(cdf) - 1, out=part)
    return out


def _vocabulary(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct words: common German/English words first, then pseudo-words."""
    words = list(dict.fromkeys(_COMMON.split()))
    seen = set(words)
    syl = np.array(_SYLLABLES.split())
    while len(words) < n:
        k = 3 * (n - len(words)) + 100
        lengths = rng.integers(2, 5, k)
        picks = syl[rng.integers(0, len(syl), (k, 4))]
        for row, m in zip(picks, lengths, strict=True):
            w = "".join(row[:m])
            if w not in seen:
                seen.add(w)
                words.append(w)
                if len(words) == n:
                    break
    return words


def _join_words(vocab: Any, word_ids: I64, lengths: I64) -> Any:
    """Arrow strings: for each text, its ``lengths[i]`` words of ``word_ids`` joined by spaces."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets), vocab.take(pa.array(word_ids)))
    return pc.binary_join(lists, " ")


def _texts(rng: np.random.Generator, vocab: Any, cdf: F64, lengths: I64) -> Any:
    """Random texts of ``lengths`` words, drawn and joined :data:`CHUNK` texts at a time.

    The draws are the same as drawing every word at once (the generator's stream is consumed
    in the same order), the word ids of only one chunk exist at a time.
    """
    chunks = []
    for start in range(0, len(lengths), CHUNK):
        n = lengths[start : start + CHUNK]
        chunks.append(_join_words(vocab, _draw(rng, cdf, int(n.sum())), n))
    return pa.chunked_array(chunks, pa.string())


def _take(values: Any, idx: I64) -> Any:
    """``values.take(idx)`` for a chunked string array, gathering chunk by chunk.

    Avoids concatenating all chunks into one array first (and its 2 GiB offset limit).
    """
    chunks = values.chunks
    if len(chunks) == 1:
        return chunks[0].take(pa.array(idx))
    bounds = np.cumsum([0] + [len(c) for c in chunks])
    which = np.searchsorted(bounds, idx, side="right") - 1
    perm = np.argsort(which, kind="stable")
    sorted_idx, sorted_which = idx[perm], which[perm]
    cuts = np.searchsorted(sorted_which, np.arange(len(chunks) + 1))
    parts = [
        chunks[k].take(pa.array(sorted_idx[cuts[k] : cuts[k + 1]] - bounds[k]))
        for k in range(len(chunks))
    ]
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(len(perm))
    return pa.concat_arrays(parts).take(pa.array(inverse))


def _times(rng: np.random.Generator, size: int, days: int) -> I64:
    """Seconds from the start: uniform over the days, with a daily rhythm."""
    hours = _draw(rng, np.cumsum(_DIURNAL) / _DIURNAL.sum(), size)
    day = rng.integers(0, days, size)
    return np.asarray(day * 86_400 + hours * 3600 + rng.integers(0, 3600, size), dtype=np.int64)


@dataclass
class _Episode:
    """One planted co-action: who, when (offsets from the anchor) and on what."""

    group: int
    members: I64
    offsets: I64
    anchor: int = 0
    target: int = -1
    url: str | None = None
    texts: list[str] | None = None


def _plan(cfg: Config, rng: np.random.Generator, ranks: I64) -> tuple[list[I64], list[str]]:
    """Planted groups (account indices) and their kinds; members avoid the 200 busiest."""
    eligible = np.flatnonzero(ranks >= 200)
    sizes = rng.integers(cfg.min_size, cfg.max_size + 1, cfg.groups)
    members = rng.choice(eligible, int(sizes.sum()), replace=False).astype(np.int64)
    groups = np.split(members, np.cumsum(sizes)[:-1])
    kinds = [KINDS[i % len(KINDS)] for i in range(cfg.groups)]
    order = rng.permutation(cfg.groups)
    return groups, [kinds[i] for i in order]


def _episodes(cfg: Config, rng: np.random.Generator, groups: list[I64]) -> list[_Episode]:
    """Who of each group takes part in each episode (at least two) and their time offsets."""
    out = []
    for g, members in enumerate(groups):
        for _ in range(cfg.episodes):
            mask = rng.random(len(members)) < cfg.participation
            if mask.sum() < 2:
                mask[rng.choice(len(members), 2, replace=False)] = True
            part = members[mask]
            out.append(_Episode(g, part, rng.integers(0, cfg.spread + 1, len(part))))
    return out


def generate(cfg: Config) -> Benchmark:
    """Generate the organic background and the planted groups, sorted by time."""
    cfg.check()
    rng = np.random.default_rng(cfg.seed)
    period = cfg.days * 86_400
    n_acc = cfg.n_accounts()

    # Accounts: a random activity rank per account, Zipf activity by rank.
    ranks = rng.permutation(n_acc).astype(np.int64)
    by_rank = np.argsort(ranks).astype(np.int64)
    acc_cdf = _cdf(n_acc, 1.0, 20.0)
    account_ids = pa.array(
        (10**9 + rng.permutation(n_acc) * 1000 + rng.integers(0, 1000, n_acc)).astype(np.int64)
    ).cast(pa.string())
    vocab_list = _vocabulary(rng, cfg.vocabulary)
    vocab = pa.array(vocab_list)
    handle_words = vocab.take(pa.array(rng.integers(0, len(vocab_list), n_acc)))
    handles = pc.binary_join_element_wise(
        handle_words, pa.array(np.arange(n_acc)).cast(pa.string()), "_"
    )

    groups, kinds = _plan(cfg, rng, ranks)
    episodes = _episodes(cfg, rng, groups)
    n_planted = sum(len(e.members) for e in episodes)
    if n_planted > cfg.posts // 2:
        raise ValueError(f"{n_planted} planted posts leave too few organic ones: raise posts")
    n_org = cfg.posts - n_planted
    n_rt = round(n_org * cfg.retweet_share)
    n_orig = n_org - n_rt

    # Organic originals (their texts are finished chunk by chunk below, once drawn).
    word_cdf = _cdf(len(vocab_list), 1.0, 10.0)
    acct_o = by_rank[_draw(rng, acc_cdf, n_orig)]
    t_o = _times(rng, n_orig, cfg.days)
    lengths = rng.integers(6, 31, n_orig)
    words_o = _texts(rng, vocab, word_cdf, lengths)
    del lengths
    tag = rng.random(n_orig) < 0.25
    tag_ids = rng.integers(0, len(_TAGS), n_orig)
    tags = pa.array(["#" + t for t in _TAGS])
    mention = rng.random(n_orig) < 0.1
    at = pc.binary_join_element_wise(
        "@", handles.take(pa.array(by_rank[_draw(rng, acc_cdf, n_orig)])), ""
    )

    # Links: a heavy-tailed pool, each with a title that is the common share text.
    n_urls = max(1000, cfg.posts // 4)
    url_ids = np.arange(n_urls)
    domains = _DOMAINS.split()
    dom = np.array(domains)[_draw(rng, _cdf(len(domains), 1.0, 1.0), n_urls)]
    url_pool = pc.binary_join_element_wise(
        "https://", pa.array(dom), "/artikel/", pa.array(url_ids).cast(pa.string()), ""
    )
    del dom, url_ids
    t_len = rng.integers(5, 13, n_urls)
    titles = _texts(rng, vocab, word_cdf, t_len).combine_chunks()
    has_url = rng.random(n_orig) < cfg.url_share
    url_rank = _draw(rng, _cdf(n_urls, 1.0, 2.0), n_orig)
    share = has_url & (rng.random(n_orig) < cfg.share_text_share)
    lone = ~has_url & (rng.random(n_orig) < cfg.mention_only_share)
    text_chunks, url_chunks = [], []
    for c, raw in enumerate(words_o.chunks):
        s = slice(c * CHUNK, c * CHUNK + len(raw))
        rank = pa.array(url_rank[s])
        text = pc.if_else(
            pa.array(tag[s]),
            pc.binary_join_element_wise(raw, tags.take(pa.array(tag_ids[s])), " "),
            raw,
        )
        text = pc.if_else(pa.array(mention[s]), pc.binary_join_element_wise(at[s], text, " "), text)
        share_text = pc.binary_join_element_wise(titles.take(rank), url_pool.take(rank), " ")
        text = pc.if_else(pa.array(share[s]), share_text, text)
        text_chunks.append(pc.if_else(pa.array(lone[s]), at[s], text))
        url_chunks.append(pc.if_else(pa.array(has_url[s]), url_pool.take(rank), None))
    text_o = pa.chunked_array(text_chunks, pa.string())
    n_links = int(has_url.sum())
    del words_o, text_chunks, tag, tag_ids, mention, at, titles, url_rank, share, lone, has_url

    # Organic retweets of popular originals, after a heavy-tailed delay (median 15 min).
    popularity = rng.pareto(cfg.retweet_tail, n_orig) + 1.0
    pop_cdf = np.cumsum(popularity) / popularity.sum()
    del popularity
    target_rt = _draw(rng, pop_cdf, n_rt)
    del pop_cdf
    delay = np.ceil(rng.lognormal(np.log(900.0), 1.6, n_rt)).astype(np.int64)
    room = np.maximum(period - 1 - t_o[target_rt], 1)
    t_rt = t_o[target_rt] + np.where(delay <= room, delay, delay % room)
    del delay, room
    acct_rt = by_rank[_draw(rng, acc_cdf, n_rt)]
    rt_chunks = [
        pc.binary_join_element_wise(
            "RT @",
            handles.take(pa.array(acct_o[target_rt[i : i + CHUNK]])),
            ": ",
            _take(text_o, target_rt[i : i + CHUNK]),
            "",
        )
        for i in range(0, n_rt, CHUNK)
    ]

    # Planted episodes.
    rare = np.arange(min(2000, len(vocab_list) // 2), len(vocab_list))
    campaign = _CAMPAIGN_DOMAINS.split()
    late_ok = np.flatnonzero(t_o < period - 2000 - cfg.spread)
    objects: dict[str, list[str]] = {}
    pl_acct, pl_ts, pl_text, pl_url, pl_target = [], [], [], [], []
    for ep in episodes:
        kind = kinds[ep.group]
        n = len(ep.members)
        g = f"g{ep.group:02d}"
        if kind == "retweet":
            ep.target = int(rng.choice(late_ok))
            ep.anchor = int(t_o[ep.target] + rng.integers(30, 1800))
            txt = "RT @" + handles[int(acct_o[ep.target])].as_py() + ": "
            ep.texts = [txt + text_o[ep.target].as_py()] * n
            objects.setdefault(g, []).append("")  # the post id, once ids are known
        else:
            ep.anchor = int(rng.integers(0, period - cfg.spread - 1))
        if kind == "link":
            dom_c = campaign[int(rng.integers(0, len(campaign)))]
            ep.url = f"https://{dom_c}/a/{ep.group}-{len(objects.get(g, []))}"
            k = rng.integers(6, 20, n)
            ids = _draw(rng, word_cdf, int(k.sum()))
            ep.texts = [
                " ".join(vocab_list[i] for i in w) for w in np.split(ids, np.cumsum(k)[:-1])
            ]
            objects.setdefault(g, []).append(ep.url)
        elif kind == "text":
            words = rng.choice(rare, int(rng.integers(15, 31)), replace=False)
            ep.texts = [" ".join(vocab_list[i] for i in words)] * n
            objects.setdefault(g, []).append(ep.texts[0])
        elif kind == "similar_text":
            words = rng.choice(rare, int(rng.integers(22, 31)), replace=False)
            ep.texts = []
            for _ in range(n):
                w = words.copy()
                w[rng.integers(0, len(w))] = rng.choice(rare)
                ep.texts.append(" ".join(vocab_list[i] for i in w))
            objects.setdefault(g, []).append(" ".join(vocab_list[i] for i in words))
        pl_acct.append(ep.members)
        pl_ts.append(ep.anchor + ep.offsets)
        pl_text.extend(ep.texts or [])
        pl_url.extend([ep.url] * n)
        pl_target.append(np.full(n, ep.target, dtype=np.int64))

    # Combine: originals, retweets, planted; sort by time; Twitter-like snowflake ids.
    account = np.concatenate([acct_o, acct_rt, *pl_acct]).astype(np.int64)
    ts = np.concatenate([t_o, t_rt, *pl_ts]).astype(np.int64)
    target = np.concatenate([np.full(n_orig, -1), target_rt, *pl_target]).astype(np.int64)
    del acct_rt, t_rt, target_rt
    text = pa.chunked_array(
        [*text_o.chunks, *rt_chunks, pa.array(pl_text, pa.string())], pa.string()
    )
    url = pa.chunked_array(
        [*url_chunks, pa.nulls(n_rt, pa.string()), pa.array(pl_url, pa.string())], pa.string()
    )
    del rt_chunks, url_chunks
    order = np.lexsort((rng.random(len(ts)), ts))
    ts_sorted = ts[order]
    seq = np.arange(len(ts)) - np.searchsorted(ts_sorted, ts_sorted, side="left")
    snow = (((ts_sorted + START) * 1000 - _TWITTER_EPOCH_MS) << 22) + seq
    del ts_sorted, seq
    id_of = np.empty(len(ts), dtype=np.int64)
    id_of[order] = snow
    del snow
    for ep in episodes:
        if ep.target >= 0:
            ids_g = objects[f"g{ep.group:02d}"]
            ids_g[ids_g.index("")] = str(id_of[ep.target])

    truth = {
        "groups": {
            f"g{g:02d}": sorted(account_ids.take(pa.array(m)).to_pylist())
            for g, m in enumerate(groups)
        },
        "kinds": {f"g{g:02d}": k for g, k in enumerate(kinds)},
        "objects": objects,
        "config": asdict(cfg),
        "counts": {
            "posts": len(ts),
            "accounts": n_acc,
            "organic_originals": n_orig,
            "organic_retweets": n_rt,
            "organic_links": n_links,
            "planted_posts": n_planted,
            "planted_accounts": int(sum(len(m) for m in groups)),
        },
        "start": START,
    }
    return Benchmark(
        post_id=id_of,
        account=account,
        ts=ts + START,
        text=text,
        url=url,
        repost_of=target,
        order=order.astype(np.int64),
        account_ids=account_ids,
        handles=handles,
        truth=truth,
    )


def rows(b: Benchmark, start: int = 0, stop: int | None = None) -> dict[str, Any]:
    """Rows ``start:stop`` of the time-sorted data as Arrow arrays (``post_id``, ``account_id``,
    ``handle``, ``ts``, ``text``, ``url``, ``repost_of``; nulls where a post has none)."""
    idx = b.order[start:stop]
    acc = pa.array(b.account[idx])
    target = b.repost_of[idx]
    reposted = b.post_id[np.maximum(target, 0)]
    return {
        "post_id": pa.array(b.post_id[idx]).cast(pa.string()),
        "account_id": b.account_ids.take(acc),
        "handle": b.handles.take(acc),
        "ts": pa.array(b.ts[idx]),
        "text": _take(b.text, idx),
        "url": _take(b.url, idx),
        "repost_of": pa.array(reposted, mask=target < 0).cast(pa.string()),
    }


def toolkit_table(b: Benchmark, start: int = 0, stop: int | None = None) -> Any:
    """Rows in the toolkit's ``preprocess --format csv`` layout (see module docstring)."""
    r = rows(b, start, stop)
    empty = pa.array([""] * len(r["ts"]), pa.string())
    cols = [
        r["post_id"],
        r["account_id"],
        r["handle"],
        r["repost_of"].fill_null(""),
        empty,
        r["text"],
        r["ts"],
        r["url"].fill_null(""),
    ]
    return pa.table(cols, names=list(TOOLKIT_COLUMNS))


def lagebild_table(b: Benchmark, start: int = 0, stop: int | None = None) -> Any:
    """Rows as canonical columns for Lagebild's generic reader (nulls where empty)."""
    r = rows(b, start, stop)
    ts = r["ts"].to_numpy()
    created = np.datetime_as_string(ts.astype("datetime64[s]"), unit="s", timezone="UTC")
    cols = [
        pa.array(np.full(len(ts), "twitter")),
        r["post_id"],
        r["account_id"],
        r["handle"],
        pa.array(created),
        r["text"],
        r["url"],
        r["repost_of"],
    ]
    return pa.table(cols, names=list(LAGEBILD_COLUMNS))


#: The files :func:`write` can write, and how their rows are laid out.
FILES = {"toolkit": toolkit_table, "lagebild": lagebild_table}


def write(
    b: Benchmark, out: Path, files: tuple[str, ...] = ("toolkit", "lagebild")
) -> dict[str, Path]:
    """Write ``truth.json`` and ``toolkit.csv`` and/or ``lagebild.csv`` into ``out``.

    The CSV files are written :data:`CHUNK` rows at a time.
    """
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / f"{name}.csv" for name in files}
    for name, path in paths.items():
        table = FILES[name]
        with pacsv.CSVWriter(path, table(b, 0, 0).schema) as writer:
            for start in range(0, len(b), CHUNK):
                writer.write_table(table(b, start, start + CHUNK))
    paths["truth"] = out / "truth.json"
    paths["truth"].write_text(json.dumps(b.truth, indent=1, ensure_ascii=False))
    return paths


def main(argv: list[str] | None = None) -> None:
    """Command line: generate one data set and print where it went and how long it took."""
    ap = argparse.ArgumentParser(prog="python -m bench.planted", description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=Config.posts)
    ap.add_argument("--days", type=int, default=Config.days)
    ap.add_argument("--seed", type=int, default=Config.seed)
    ap.add_argument("--groups", type=int, default=Config.groups)
    ap.add_argument("--min-size", type=int, default=Config.min_size)
    ap.add_argument("--max-size", type=int, default=Config.max_size)
    ap.add_argument("--episodes", type=int, default=Config.episodes)
    ap.add_argument("--spread", type=int, default=Config.spread, help="seconds within a burst")
    ap.add_argument("--accounts", type=int, default=0, help="0: max(2000, posts // 10)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument(
        "--files", default="toolkit,lagebild", help="CSV files to write (truth.json always)"
    )
    a = ap.parse_args(argv)
    files = tuple(f for f in a.files.split(",") if f)
    if not files or set(files) - set(FILES):
        ap.error(f"--files takes a comma-separated subset of {', '.join(FILES)}")
    cfg = Config(
        posts=a.posts,
        days=a.days,
        seed=a.seed,
        groups=a.groups,
        min_size=a.min_size,
        max_size=a.max_size,
        episodes=a.episodes,
        spread=a.spread,
        accounts=a.accounts,
    )
    t0 = time.perf_counter()
    b = generate(cfg)
    t1 = time.perf_counter()
    paths = write(b, a.out, files)
    t2 = time.perf_counter()
    print(json.dumps(b.truth["counts"]))
    print(f"generated in {t1 - t0:.1f} s, written in {t2 - t1:.1f} s")
    for name, p in paths.items():
        print(f"{name}: {p}")


if __name__ == "__main__":
    main()
