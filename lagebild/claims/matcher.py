"""Matching posts to fact-checks: decisions a team can trust, each with its explanation.

A post is compared with the fact-checks through the cascade of
:mod:`lagebild.claims.retrieval`. The re-ranker's probability of the best candidate decides:

* ``auto`` — at or above ``auto_threshold``: the post repeats the fact-checked claim;
* ``suggest`` — at or above ``suggest_threshold``: a person should look;
* nothing below, and nothing for posts with fewer than ``min_words`` words (a post of two
  words cannot be said to repeat a claim; such pairs were mostly wrong on the dev data).

The thresholds shipped with the re-ranker were calibrated on the dev splits together with
posts that match nothing (see ``bench/train_matcher.py``); the precision each one gave is
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
    FactCheckIndex,
    Reranker,
    RetrievalParams,
    clean_post,
    features,
)

__all__ = ["Match", "MatchParams", "match_texts", "rank_texts"]


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
        """(suggest, auto) thresholds: the given ones, else those calibrated with the model."""
        cal = reranker.meta.get("thresholds", {})
        suggest = self.suggest_threshold
        auto = self.auto_threshold
        return (
            float(suggest if suggest is not None else cal.get("suggest", 0.5)),
            float(auto if auto is not None else cal.get("auto", 0.9)),
        )


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

    With ``screen`` only the texts whose best first probability (the re-ranker's screen model)
    reaches ``screen_threshold`` (default: the calibrated one) are re-ranked, or that have a
    candidate possibly in another language whose USE cosine reaches the calibrated
    ``cross_lingual_use`` (BM25 is blind across languages, and the screen model leans on it);
    the others keep their candidates in fusion order with score 0. Without ``rerank`` nothing
    is re-ranked and the last value marks the texts that *would* be (the screen alone).
    """
    p = params or RetrievalParams()
    cand = index.candidates(texts, languages, p, use_cache)
    has = np.array([len(r) > 0 for r in cand.rows], bool)
    if screen and reranker.screen is not None:
        first = reranker.screen
        level = float(screen_threshold if screen_threshold is not None else first.meta["threshold"])
        # across languages BM25 sees nothing: there the USE cosine alone may pass a post
        cross_level = float(first.meta.get("cross_lingual_use", 1.0))
        has &= np.array(
            [
                len(c) > 0
                and (
                    float(first.score(c).max()) >= level
                    or bool((x & (c[:, 4] >= cross_level)).any())
                )
                for c, x in zip(cand.cheap, cand.cross, strict=True)
            ],
            bool,
        )
    which = np.flatnonzero(has)
    if not rerank:
        return cand.rows, [np.zeros(len(r)) for r in cand.rows], [], has
    e5 = index.e5_features(texts, cand, which, p.rerank_k, e5_cache)
    rows_out, scores_out, feats_out = [], [], []
    reranked = np.zeros(len(texts), bool)
    for i in range(len(texts)):
        rows = cand.rows[i]
        if i in e5:
            # the re-ranked head first, then the rest of the pool in fusion order
            k = len(e5[i])
            x = features(cand.cheap[i], e5[i])
            s = reranker.score(x)
            order = np.argsort(-s, kind="stable")
            rows_out.append(np.concatenate([rows[:k][order], rows[k:]]))
            scores_out.append(np.concatenate([s[order], np.zeros(len(rows) - k)]))
            feats_out.append(x[order])
            reranked[i] = True
        else:
            rows_out.append(rows)
            scores_out.append(np.zeros(len(rows)))
            feats_out.append(np.zeros((len(rows), len(FEATURES))))
    return rows_out, scores_out, feats_out, reranked


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

    ``stats``, when given, counts the texts ``screened`` and ``reranked``.
    """
    p = params or MatchParams()
    suggest, auto = p.thresholds(reranker)
    out: list[Match] = []
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        langs = languages[start : start + batch] if languages is not None else None
        long_enough = [len(clean_post(t).split()) >= p.min_words for t in chunk]
        ranked = rank_texts(
            index,
            [t if ok else "" for t, ok in zip(chunk, long_enough, strict=True)],
            reranker,
            langs,
            p.retrieval,
            use_cache=use_cache,
            e5_cache=e5_cache,
            screen_threshold=p.screen_threshold,
        )
        if stats is not None:
            stats["screened"] = stats.get("screened", 0) + len(chunk)
            stats["reranked"] = stats.get("reranked", 0) + int(ranked[3].sum())
        for j, (rows, scores, feats, reranked) in enumerate(zip(*ranked, strict=True)):
            i = start + j
            if not (long_enough[j] and reranked):
                continue
            # only the re-ranked head has a probability
            keep = [k for k in range(len(feats)) if (i, int(rows[k])) not in rejected]
            if not keep or scores[keep[0]] < suggest:
                continue
            best = keep[0]
            out.append(
                Match(
                    post=i,
                    factcheck=int(rows[best]),
                    score=float(scores[best]),
                    decision="auto" if scores[best] >= auto else "suggest",
                    stage="rerank",
                    features=dict(zip(FEATURES, map(float, feats[best]), strict=True)),
                    alternatives=[
                        (int(rows[k]), float(scores[k])) for k in keep[1 : 1 + p.alternatives]
                    ],
                )
            )
        if progress is not None:
            progress(min(start + batch, len(texts)), len(texts))
    return out


def match_id(platform: str, post_id: str, factcheck_id: str) -> str:
    """Stable id of the finding that post (platform, post_id) repeats a fact-checked claim."""
    raw = f"{platform}\x1f{post_id}\x1f{factcheck_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]
