"""Matching posts to fact-checks: decisions a team can trust, each with its explanation.

A post is compared with the fact-checks through the cascade of
:mod:`lagebild.claims.retrieval`. The re-ranker orders the candidates; whether the best one is
the post's claim, and not only its topic, the decision model says from the re-ranker's
probability and the words the two share (:data:`~lagebild.claims.retrieval.DECISION`):

* ``auto`` — at or above ``auto_threshold``: the post repeats the fact-checked claim;
* ``suggest`` — at or above ``suggest_threshold``: a person should look;
* nothing below, and nothing for posts with fewer than ``min_words`` words (a post of two
  words cannot be said to repeat a claim; such pairs were mostly wrong on the dev data).

A fact-check surely in another language than the post is decided on the probability alone,
against its own calibrated thresholds: shared words mean nothing across languages. The
thresholds were calibrated on the dev tweets, posts that match nothing and a real stream in
the fact-checks' domain (see ``bench/train_matcher.py``); the precision each one gave is
written next to it in the model file and in ``docs/claims.md``. Pairs a person rejected are
never suggested again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lagebild.claims.encoders import EmbeddingCache
from lagebild.claims.retrieval import (
    FEATURES,
    OVERLAP,
    SCREEN_DECISION,
    Candidates,
    FactCheckIndex,
    Reranker,
    RetrievalParams,
    clean_post,
    decision_features,
    features,
    post_terms,
)

__all__ = ["Match", "MatchParams", "match_texts", "rank_texts", "screen_passes"]


@dataclass(frozen=True)
class MatchParams:
    """Every threshold of matching, with its default (see the module doc)."""

    retrieval: RetrievalParams = field(default_factory=RetrievalParams)
    #: probability from which a match is made without asking (None: the shipped calibration)
    auto_threshold: float | None = None
    #: probability from which a match is suggested (None: the shipped calibration)
    suggest_threshold: float | None = None
    #: first probability from which a post is re-ranked (None: the shipped calibration)
    screen_threshold: float | None = None
    #: posts with fewer words are not matched
    min_words: int = 4
    #: alternatives kept in a match's explanation
    alternatives: int = 3

    def thresholds(self, reranker: Reranker) -> tuple[float, float]:
        """(suggest, auto) thresholds of the decision: the given ones, else the calibrated."""
        cal = reranker.meta.get("thresholds", {})
        suggest = self.suggest_threshold
        auto = self.auto_threshold
        return (
            float(suggest if suggest is not None else cal.get("suggest", 0.5)),
            float(auto if auto is not None else cal.get("auto", 0.9)),
        )

    def cross_thresholds(self, reranker: Reranker) -> tuple[float, float]:
        """(suggest, auto) thresholds of the probability for a fact-check in another language
        (the calibrated ones; models without a decision use :meth:`thresholds`)."""
        cal = reranker.meta.get("thresholds", {})
        if reranker.decider is None or "cross_suggest" not in cal:
            return self.thresholds(reranker)
        return float(cal["cross_suggest"]), float(cal["cross_auto"])


@dataclass(frozen=True)
class Match:
    """A post that repeats a fact-checked claim, with why."""

    post: int
    factcheck: int
    score: float
    decision: str
    stage: str
    features: dict[str, float]
    alternatives: list[tuple[int, float]]

    def explanation(self, index: FactCheckIndex) -> dict[str, Any]:
        """JSON-able reasons: the claim, the score, the stage that decided, the features."""
        return {
            "factcheck_id": index.ids[self.factcheck],
            "claim": index.claims[self.factcheck],
            "score": round(self.score, 4),
            "decision": self.decision,
            "stage": self.stage,
            "features": {k: round(v, 4) for k, v in self.features.items()},
            # fact-checks of the very same claim, added after this one (see same_claims)
            "copies": [index.ids[r] for r in index.copies.get(self.factcheck, ())],
            "alternatives": [
                {"factcheck_id": index.ids[r], "claim": index.claims[r], "score": round(s, 4)}
                for r, s in self.alternatives
            ],
        }


def rank_texts(
    index: FactCheckIndex,
    texts: Sequence[str],
    reranker: Reranker,
    languages: Sequence[str | None] | None = None,
    params: RetrievalParams | None = None,
    screen: bool = True,
    use_cache: EmbeddingCache | None = None,
    e5_cache: EmbeddingCache | None = None,
    screen_threshold: float | None = None,
    rerank: bool = True,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Candidates of each text ordered by the re-ranker: (rows, scores, features, re-ranked).

    With ``screen`` only the texts that pass the screen are re-ranked (see
    :func:`screen_passes`); the others keep their candidates in fusion order with score 0,
    except those that cannot pass at all, which are stopped before any encoding and have none.
    Without ``rerank`` nothing is re-ranked and the last value marks the texts that *would*
    be (the screen alone).
    """
    r = _rank(
        index,
        texts,
        reranker,
        languages,
        params,
        screen,
        use_cache,
        e5_cache,
        screen_threshold,
        rerank,
    )
    return r.rows, r.scores, r.features, r.reranked


@dataclass
class _Ranked:
    rows: list[np.ndarray]
    scores: list[np.ndarray]
    features: list[np.ndarray]
    reranked: np.ndarray
    #: per text, the overlap and the sure language crossing of each row, in the order of rows
    overlap: list[np.ndarray]
    crossing: list[np.ndarray]


def screen_passes(
    cand: Candidates, reranker: Reranker, screen_threshold: float | None = None
) -> np.ndarray:
    """Which posts go on to the re-rank.

    A post passes when the screen decision (:data:`~lagebild.claims.retrieval.SCREEN_DECISION`:
    the best first probability and the words that candidate shares with the post) reaches its
    calibrated threshold, or when a candidate surely in another language has a USE cosine of
    at least the calibrated ``cross_lingual_use`` (BM25 and shared words are blind across
    languages). Models without a screen decision use the first probability alone, and count
    a candidate of unknown language as crossing.
    """
    has = np.array([len(r) > 0 for r in cand.rows], bool)
    first = reranker.screen
    if first is None:
        return has
    decider = reranker.screen_decider
    meta = decider.meta if decider is not None else first.meta
    level = float(screen_threshold if screen_threshold is not None else meta["threshold"])
    cross_level = float(first.meta.get("cross_lingual_use", 1.0))
    crossing = cand.crossing if decider is not None else cand.cross
    out = np.zeros(len(cand.rows), bool)
    for i, c in enumerate(cand.cheap):
        if not has[i]:
            continue
        f = first.score(c)
        if decider is not None:
            j = int(np.argmax(f))
            ok = float(decider.score(decision_features(f[j], cand.overlap[i][j]))[0]) >= level
        else:
            ok = float(f.max()) >= level
        out[i] = ok or bool((crossing[i] & (c[:, 4] >= cross_level)).any())
    return out


_CANDIDATE_FIELDS = ("rows", "cheap", "cross", "crossing", "overlap")


def _spread(values: list[np.ndarray], at: np.ndarray, n: int) -> list[np.ndarray]:
    """``values`` of the posts ``at`` placed in a list of ``n``, the others empty."""
    width = values[0].shape[1:] if values else ()
    out = [np.zeros((0, *width))] * n
    for i, v in zip(at.tolist(), values, strict=True):
        out[i] = v
    return out


def _could_pass(
    index: FactCheckIndex,
    texts: Sequence[str],
    languages: Sequence[str | None] | None,
    reranker: Reranker,
    screen_threshold: float | None,
) -> np.ndarray | None:
    """Which posts may pass the screen, decided before any encoding (None: all may).

    The screen decision's weights are at least 0, so the first probability taken as 1 and the
    largest shared words over *every* fact-check bound what any candidate can reach; a post
    below that bound, with no fact-check surely in another language, cannot pass. Most posts
    of a stream stop here, without their USE vector or the dense search.
    """
    decider = reranker.screen_decider
    if decider is None or reranker.screen is None or min(decider.weights) < 0:
        return None
    level = float(screen_threshold if screen_threshold is not None else decider.meta["threshold"])
    w = dict(zip(decider.names, decider.weights, strict=True))
    mean = dict(zip(decider.names, decider.mean, strict=True))
    scale = dict(zip(decider.names, decider.scale, strict=True))
    first, cover, shared = SCREEN_DECISION
    _, langs, queries = post_terms(texts, languages)
    best = index.bm25.best_overlap(queries, w[cover] / scale[cover], w[shared] / scale[shared])
    z = decider.bias + w[first] * (1 - mean[first]) / scale[first] + best
    z -= w[cover] * mean[cover] / scale[cover] + w[shared] * mean[shared] / scale[shared]
    theirs = index.known_languages
    crossing = np.array([lang is not None and bool(theirs - {lang}) for lang in langs], bool)
    passes: np.ndarray = np.asarray(1 / (1 + np.exp(-z)) >= level) | crossing
    return passes


def _rank(
    index: FactCheckIndex,
    texts: Sequence[str],
    reranker: Reranker,
    languages: Sequence[str | None] | None,
    params: RetrievalParams | None,
    screen: bool,
    use_cache: EmbeddingCache | None,
    e5_cache: EmbeddingCache | None,
    screen_threshold: float | None,
    rerank: bool,
) -> _Ranked:
    p = params or RetrievalParams()
    maybe = _could_pass(index, texts, languages, reranker, screen_threshold) if screen else None
    if maybe is not None and not maybe.all():
        # the posts that cannot pass get no candidates: no encoding, no search
        go = np.flatnonzero(maybe)
        some = index.candidates(
            [texts[i] for i in go.tolist()],
            [languages[i] for i in go.tolist()] if languages is not None else None,
            p,
            use_cache,
        )
        cand = Candidates(*(_spread(getattr(some, f), go, len(texts)) for f in _CANDIDATE_FIELDS))
    else:
        cand = index.candidates(texts, languages, p, use_cache)
    has = np.array([len(r) > 0 for r in cand.rows], bool)
    if screen:
        has &= screen_passes(cand, reranker, screen_threshold)
    which = np.flatnonzero(has)
    zeros = [np.zeros(len(r)) for r in cand.rows]
    if not rerank:
        return _Ranked(cand.rows, zeros, [], has, cand.overlap, cand.crossing)
    e5 = index.e5_features(texts, cand, which, p.rerank_k, e5_cache)
    out = _Ranked([], [], [], np.zeros(len(texts), bool), [], [])
    for i in range(len(texts)):
        rows = cand.rows[i]
        if i in e5:
            # the re-ranked head first, then the rest of the pool in fusion order
            k = len(e5[i])
            x = features(cand.cheap[i], e5[i])
            s = reranker.score(x)
            order = np.concatenate([np.argsort(-s, kind="stable"), np.arange(k, len(rows))])
            out.rows.append(rows[order])
            out.scores.append(np.concatenate([s, np.zeros(len(rows) - k)])[order])
            out.features.append(x[order[:k]])
            out.reranked[i] = True
        else:
            order = np.arange(len(rows))
            out.rows.append(rows)
            out.scores.append(zeros[i])
            out.features.append(np.zeros((len(rows), len(FEATURES))))
        out.overlap.append(cand.overlap[i][order])
        out.crossing.append(cand.crossing[i][order])
    return out


def match_texts(
    index: FactCheckIndex,
    texts: Sequence[str],
    reranker: Reranker,
    params: MatchParams | None = None,
    languages: Sequence[str | None] | None = None,
    rejected: Collection[tuple[int, int]] = (),
    use_cache: EmbeddingCache | None = None,
    e5_cache: EmbeddingCache | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 256,
    stats: dict[str, int] | None = None,
) -> list[Match]:
    """The matches (auto or suggest) of ``texts``; ``rejected`` holds (text, row) pairs.

    A rejected row rejects its claim's every copy: candidates are claims, named by their
    first copy (:attr:`FactCheckIndex.first`). ``stats``, when given, counts the texts
    ``screened`` and ``reranked``.
    """
    rejected = {(t, int(index.first[r])) for t, r in rejected}
    p = params or MatchParams()
    suggest, auto = p.thresholds(reranker)
    cross = p.cross_thresholds(reranker)
    out: list[Match] = []
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        langs = languages[start : start + batch] if languages is not None else None
        long_enough = [len(clean_post(t).split()) >= p.min_words for t in chunk]
        ranked = _rank(
            index,
            [t if ok else "" for t, ok in zip(chunk, long_enough, strict=True)],
            reranker,
            langs,
            p.retrieval,
            True,
            use_cache,
            e5_cache,
            p.screen_threshold,
            True,
        )
        if stats is not None:
            stats["screened"] = stats.get("screened", 0) + len(chunk)
            stats["reranked"] = stats.get("reranked", 0) + int(ranked.reranked.sum())
        for j in range(len(chunk)):
            i = start + j
            if not (long_enough[j] and ranked.reranked[j]):
                continue
            rows, scores, feats = ranked.rows[j], ranked.scores[j], ranked.features[j]
            # only the re-ranked head has a probability
            keep = [k for k in range(len(feats)) if (i, int(rows[k])) not in rejected]
            if not keep:
                continue
            best = keep[0]
            decided = _decide(reranker, scores[best], ranked.overlap[j][best])
            if reranker.decider is None:
                score, level, stage = float(scores[best]), (suggest, auto), "rerank"
            elif ranked.crossing[j][best]:
                # across languages shared words mean nothing: the probability decides
                score, level, stage = float(scores[best]), cross, "rerank (across languages)"
            else:
                score, level, stage = decided, (suggest, auto), "rerank + shared words"
            if score < level[0]:
                continue
            explained = dict(zip(FEATURES, map(float, feats[best]), strict=True))
            explained |= dict(zip(OVERLAP, map(float, ranked.overlap[j][best]), strict=True))
            explained["decision"] = decided
            out.append(
                Match(
                    post=i,
                    factcheck=int(rows[best]),
                    score=score,
                    decision="auto" if score >= level[1] else "suggest",
                    stage=stage,
                    features=explained,
                    alternatives=[
                        (int(rows[k]), float(scores[k])) for k in keep[1 : 1 + p.alternatives]
                    ],
                )
            )
        if progress is not None:
            progress(min(start + batch, len(texts)), len(texts))
    return out


def _decide(reranker: Reranker, probability: float, overlap: np.ndarray) -> float:
    """The decision probability of a post's best candidate (the probability without a model)."""
    if reranker.decider is None:
        return float(probability)
    return float(reranker.decider.score(decision_features(probability, overlap))[0])


def match_id(platform: str, post_id: str, factcheck_id: str) -> str:
    """Stable id of the finding that post (platform, post_id) repeats a fact-checked claim."""
    raw = f"{platform}\x1f{post_id}\x1f{factcheck_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]
