"""Hybrid retrieval of fact-checks for posts: lexical + dense candidates, then a re-rank.

The cascade, cheapest first:

1. **Candidates.** BM25 (``bm25s``'s term scores; words of two or more letters, German and
   English stop words removed, Snowball-stemmed in the text's language; a batch of posts is
   scored in one sparse matrix product) gives the ``bm25_k`` best fact-checks of a post; the
   multilingual Universal Sentence Encoder, by exact inner-product search over the
   fact-checks' claim and title vectors (a ``usearch`` HNSW index beyond :data:`EXACT_LIMIT`
   vectors), gives ``dense_k`` more. BM25 finds the same words, the dense stage finds the same
   meaning in other words and in another language (a German post, an English fact-check).
2. **Screen.** A small logistic model over the cheap features alone (:attr:`Reranker.screen`)
   gives each candidate a first probability; the post goes on only if its best one reaches
   the calibrated screen threshold. Most posts of a stream match nothing and stop here.
3. **Re-rank.** For the posts that pass, the stronger encoder (multilingual-e5-small) encodes
   the post and the candidates (cached), and a small logistic model combines the features of
   each pair (:data:`FEATURES`) into the match probability that orders the candidates and
   decides *suggest* and *auto-match* (see :mod:`lagebild.claims.matcher`).

Fact-checks of the same claim — the same words, whatever the case, punctuation or quotes, as
when a claim is checked twice or imported from two feeds — are one candidate: the first in
the index (the oldest in a store) stands for all (:func:`same_claims`), so a post's candidates
are distinct claims and its match names the original. Rankings list the later copies right
after it (:meth:`FactCheckIndex.with_copies`).

Everything heavy is batched: posts are encoded in batches, searched in batches, and identical
texts (reposts) are encoded once.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from lagebild.claims.encoders import EmbeddingCache, Encoder, encode_cached, load_encoder
from lagebild.claims.values import claim_key, guess_language

__all__ = [
    "DECISION",
    "FEATURES",
    "OVERLAP",
    "SCREEN_DECISION",
    "Candidates",
    "FactCheckIndex",
    "Logistic",
    "Reranker",
    "RetrievalParams",
    "clean_post",
    "copies_of",
    "features",
    "post_terms",
    "same_claims",
    "tokenize",
]

#: Up to this many claim and title vectors the dense search is exact (a matrix product is
#: faster than building an HNSW graph); above it a ``usearch`` HNSW index (int8) is built.
#: A title equal to its claim, or missing, adds no vector.
EXACT_LIMIT = 100_000

_URL = re.compile(r"https?://\S+|pic\.twitter\.com/\S+|www\.\S+")
_WORD = re.compile(r"\w\w+", re.UNICODE)


def clean_post(text: str) -> str:
    """The text of a post for matching: links removed, whitespace collapsed."""
    return " ".join(_URL.sub(" ", text).split())


def same_claims(claims: Sequence[str]) -> np.ndarray:
    """For each claim, the first row with the same words (itself if none came before).

    Why: a claim checked twice, or imported twice, should be one candidate, not two that
    crowd out a third and split a post's matches. Same words: the same
    :func:`~lagebild.claims.values.claim_key`; a claim without words stands alone.
    """
    first: dict[str, int] = {}
    out = np.arange(len(claims), dtype=np.int64)
    for row, claim in enumerate(claims):
        key = claim_key(claim)
        if key:
            out[row] = first.setdefault(key, row)
    return out


def copies_of(first: np.ndarray) -> dict[int, list[int]]:
    """The later copies of each claim that has any (``first`` as :func:`same_claims` gives)."""
    out: dict[int, list[int]] = {}
    for row in np.flatnonzero(first != np.arange(len(first))).tolist():
        out.setdefault(int(first[row]), []).append(row)
    return out


@cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_GERMAN

    return frozenset(STOPWORDS_EN_PLUS) | frozenset(STOPWORDS_GERMAN)


@cache
def _stemmer(language: str) -> Any:
    import Stemmer

    name = {"de": "german", "en": "english"}.get(language, "english")
    return Stemmer.Stemmer(name)


def tokenize(text: str, language: str | None = None) -> list[str]:
    """BM25 terms of ``text``: lower-cased words without stop words, stemmed."""
    stop = _stopwords()
    words = [w for w in _WORD.findall(clean_post(text).lower()) if w not in stop]
    return list(_stemmer(language or "en").stemWords(words))


def post_terms(
    posts: Sequence[str], languages: Sequence[str | None] | None = None
) -> tuple[list[str], list[str | None], list[list[str]]]:
    """Each post cleaned (:func:`clean_post`), its language (given, else guessed) and its BM25
    terms in that language."""
    texts = [clean_post(t) for t in posts]
    given = languages if languages is not None else [None] * len(texts)
    langs = [lang or guess_language(t) for lang, t in zip(given, texts, strict=True)]
    return texts, langs, [tokenize(t, lang) for t, lang in zip(texts, langs, strict=True)]


@dataclass(frozen=True)
class RetrievalParams:
    """Thresholds of the cascade; each default was chosen on the CheckThat! train/dev data."""

    #: lexical candidates per post
    bm25_k: int = 20
    #: dense (USE) candidates per post
    dense_k: int = 20
    #: candidates kept (the best of both lists by reciprocal-rank fusion)
    pool: int = 20
    #: of those, how many the re-ranking encoder scores
    rerank_k: int = 20


@dataclass
class Candidates:
    """The candidate fact-checks of each post, with the cheap features of each pair."""

    #: per post, the candidate rows (indexes into the index's fact-checks)
    rows: list[np.ndarray]
    #: per post, the feature rows of its candidates (columns: :data:`FEATURES` up to e5)
    cheap: list[np.ndarray]
    #: per post, which candidates may be in another language than the post (either unknown)
    cross: list[np.ndarray]
    #: per post, which candidates are surely in another language (both known, different)
    crossing: list[np.ndarray] = field(default_factory=list)
    #: per post, the shared words of each candidate (columns: :data:`OVERLAP`)
    overlap: list[np.ndarray] = field(default_factory=list)


@dataclass
class FactCheckIndex:
    """BM25 and dense indexes over a set of fact-checks (claim and title texts)."""

    ids: list[str]
    claims: list[str]
    titles: list[str]
    languages: list[str | None]
    use: Encoder
    e5: Encoder | None
    cache_dir: Path | None = None
    bm25: Any = field(default=None, repr=False)
    _use_claim: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    _use_title: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    _ann: Any = field(default=None, repr=False)
    #: the key of each dense vector: ``row`` for a claim, ``n + row`` for a title
    _keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64), repr=False)
    #: the row that stands for each row's claim (:func:`same_claims`)
    first: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        claims: Sequence[str],
        titles: Sequence[str | None],
        languages: Sequence[str | None] | None = None,
        *,
        cache_dir: Path | None = None,
        threads: int = 1,
        rerank: bool = True,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> FactCheckIndex:
        """Index fact-checks: BM25 over claim + title, USE vectors in an HNSW index.

        ``cache_dir`` (the data directory) keeps the vectors, so a rebuild encodes only new
        texts; the e5 vectors of fact-checks are computed lazily, when a post first needs them.
        """
        import bm25s
        from usearch.index import Index

        n = len(ids)
        given: list[str | None] = list(languages) if languages is not None else [None] * n
        langs = [
            lang or guess_language(c, t) for lang, c, t in zip(given, claims, titles, strict=True)
        ]
        title_texts = [t or "" for t in titles]
        index = cls(
            ids=list(ids),
            claims=list(claims),
            titles=title_texts,
            languages=langs,
            use=load_encoder("use", threads),
            e5=load_encoder("e5", threads) if rerank else None,
            cache_dir=cache_dir,
            first=same_claims(claims),
        )
        say = progress or (lambda stage, done, total: None)
        say("bm25", 0, n)
        corpus = [
            tokenize(f"{c} {t}", lang)
            for c, t, lang in zip(claims, title_texts, langs, strict=True)
        ]
        bm25 = bm25s.BM25()
        bm25.index([doc or ["_"] for doc in corpus], show_progress=False)
        index.bm25 = _LexicalIndex.of(bm25)
        say("bm25", n, n)
        cache = index._cache(index.use)
        index._use_claim = encode_cached(
            index.use, index.claims, "passage", cache, lambda d, t: say("use claims", d, t)
        )
        index._use_title = encode_cached(
            index.use,
            [t or c for t, c in zip(title_texts, claims, strict=True)],
            "passage",
            cache,
            lambda d, t: say("use titles", d, t),
        )
        # a fact-check without its own title would have its claim's vector twice
        titled = np.array([bool(t) and t != c for t, c in zip(title_texts, claims, strict=True)])
        index._keys = np.concatenate([np.arange(n), n + np.flatnonzero(titled)]).astype(np.uint64)
        dense = np.vstack([index._use_claim, index._use_title[titled]]).astype(np.float32)
        if len(dense) > EXACT_LIMIT:
            say("hnsw", 0, len(dense))
            ann = Index(ndim=index.use.dim, metric="ip", dtype="i8", connectivity=16)
            ann.add(index._keys, dense, threads=0)  # every core: a one-time build, no BLAS
            index._ann = ann
            say("hnsw", len(dense), len(dense))
        else:
            index._ann = dense
        return index

    def _dense_search(self, queries: np.ndarray, k: int) -> list[np.ndarray]:
        """The ``k`` nearest claim/title vectors of each query (exact, or HNSW when large)."""
        if isinstance(self._ann, np.ndarray):
            out: list[np.ndarray] = []
            for start in range(0, len(queries), 64):  # bounded memory: 64 rows of scores
                cols = top_k(queries[start : start + 64] @ self._ann.T, k)[0]
                out.extend(self._keys[c] for c in cols)
            return out
        found = self._ann.search(queries, count=k)
        if len(queries) == 1 and found.keys.ndim == 1:
            return [found.keys]
        return [found.keys[i][: found.counts[i]] for i in range(len(queries))]

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def copies(self) -> dict[int, list[int]]:
        """The later copies of each claim that has any, by the row that stands for it."""
        return copies_of(self.first)

    def with_copies(self, rows: Sequence[int] | np.ndarray) -> list[int]:
        """A ranking of candidates with each claim's later copies right after it."""
        copies = self.copies
        return [x for r in np.asarray(rows).tolist() for x in (r, *copies.get(r, ()))]

    @cached_property
    def known_languages(self) -> frozenset[str]:
        """The languages of the fact-checks, where known."""
        return frozenset(lang for lang in self.languages if lang)

    def _cache(self, encoder: Encoder) -> EmbeddingCache:
        return EmbeddingCache(self.cache_dir, encoder.name, encoder.dim)

    def candidates(
        self,
        posts: Sequence[str],
        languages: Sequence[str | None] | None = None,
        params: RetrievalParams | None = None,
        cache: EmbeddingCache | None = None,
    ) -> Candidates:
        """Candidate fact-checks and their cheap features for each post (stage 1)."""
        p = params or RetrievalParams()
        n = len(self.ids)
        texts, langs, queries = post_terms(posts, languages)
        use_q = encode_cached(self.use, texts, "query", cache)
        k_dense = min(2 * p.dense_k, 2 * n)
        dense = self._dense_search(use_q, k_dense) if n and k_dense else None
        lex_rows, lex_scores = self.bm25.search(queries, min(p.bm25_k, n))
        rows_out: list[np.ndarray] = []
        feats_out: list[np.ndarray] = []
        cross_out: list[np.ndarray] = []
        crossing_out: list[np.ndarray] = []
        for i in range(len(posts)):
            lex: dict[int, float] = {}
            reps = self.first[np.asarray(lex_rows[i], np.int64)].tolist()
            for r, score in zip(reps, lex_scores[i].tolist(), strict=True):
                lex.setdefault(r, score)  # best first: a claim keeps its best copy's score
            order: dict[int, float] = {}
            for rank, r in enumerate(lex):  # best first
                order[r] = order.get(r, 0.0) + 1 / (60 + rank)
            if dense is not None:
                seen: set[int] = set()
                for r in self.first[np.asarray(dense[i], np.int64) % n].tolist():
                    if r in seen:
                        continue
                    seen.add(r)
                    order[r] = order.get(r, 0.0) + 1 / (60 + len(seen) - 1)
            rows = np.array(sorted(order, key=lambda r: -order[r])[: p.pool], dtype=np.int64)
            q = use_q[i]
            cos_claim = self._use_claim[rows] @ q if len(rows) else np.zeros(0)
            cos_title = self._use_title[rows] @ q if len(rows) else np.zeros(0)
            norm = max(1.0, _bm25_norm(len(queries[i])))
            bm = np.array([lex.get(int(r), 0.0) for r in rows])
            best_bm = bm.max() if len(bm) else 0.0
            f = np.column_stack(
                [
                    bm / norm,
                    bm / best_bm if best_bm > 0 else np.zeros(len(rows)),
                    cos_claim,
                    cos_title,
                    np.maximum(cos_claim, cos_title),
                ]
            )
            rows_out.append(rows)
            feats_out.append(f)
            lang = langs[i]
            theirs = [self.languages[r] for r in rows]
            cross_out.append(
                np.array([lang is None or t is None or t != lang for t in theirs], bool)
            )
            crossing_out.append(
                np.array([lang is not None and t is not None and t != lang for t in theirs], bool)
            )
        overlap = self.bm25.overlap(queries, rows_out)
        return Candidates(rows_out, feats_out, cross_out, crossing_out, overlap)

    def overlap(
        self,
        posts: Sequence[str],
        rows: Sequence[np.ndarray],
        languages: Sequence[str | None] | None = None,
    ) -> list[np.ndarray]:
        """The shared words (:data:`OVERLAP`) of each post with the fact-checks ``rows``."""
        shared: list[np.ndarray] = self.bm25.overlap(post_terms(posts, languages)[2], rows)
        return shared

    def passage(self, row: int) -> str:
        """The text of a fact-check for the re-ranking encoder: its title, then its claim."""
        title, claim = self.titles[row], self.claims[row]
        return f"{title}. {claim}" if title and title != claim else claim

    def e5_features(
        self,
        posts: Sequence[str],
        cand: Candidates,
        which: np.ndarray,
        top: int,
        cache: EmbeddingCache | None = None,
    ) -> dict[int, np.ndarray]:
        """e5 cosines of the first ``top`` candidates of the posts ``which``."""
        if self.e5 is None or len(which) == 0:
            return {}
        e5_cache = cache or self._cache(self.e5)
        q = encode_cached(self.e5, [clean_post(posts[i]) for i in which], "query", e5_cache)
        needed = np.unique(np.concatenate([cand.rows[i][:top] for i in which]))
        vectors = encode_cached(self.e5, [self.passage(r) for r in needed], "passage", e5_cache)
        at = {int(r): j for j, r in enumerate(needed)}
        return {
            int(i): vectors[[at[int(r)] for r in cand.rows[i][:top]]] @ q[qi]
            for qi, i in enumerate(which)
        }


def top_k(scores: np.ndarray, k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Columns and values of the ``k`` largest scores of each row, best first (ties: lower
    column first).

    The k-th largest block maximum bounds each row's k-th largest score from below, so only
    the few scores above it are sorted: several times faster than ``argpartition`` over
    tens of thousands of columns.
    """
    n, m = scores.shape
    k = min(k, m)
    if k == 0:
        return [np.zeros(0, np.int64)] * n, [np.zeros(0, scores.dtype)] * n
    width = 32
    blocks = m // width
    if blocks >= k:
        maxima = scores[:, : blocks * width].reshape(n, blocks, width).max(axis=2)
        bound = np.partition(maxima, blocks - k, axis=1)[:, blocks - k]
    else:
        bound = np.full(n, -np.inf, scores.dtype)
    r, c = np.nonzero(scores >= bound[:, None])
    v = scores[r, c]
    order = np.lexsort((c, -v, r))
    r, c, v = r[order], c[order], v[order]
    starts = np.searchsorted(r, np.arange(n + 1))
    cols = [c[a : min(a + k, b)] for a, b in itertools.pairwise(starts)]
    vals = [v[a : min(a + k, b)] for a, b in itertools.pairwise(starts)]
    return cols, vals


@dataclass(frozen=True)
class _LexicalIndex:
    """BM25 scores (``bm25s``'s term × document matrix), searched many queries at once."""

    vocabulary: dict[str, int]
    #: term × document matrix of BM25 term scores (scipy CSR)
    matrix: Any
    #: the same matrix with 1 for every term a document has
    presence: Any
    #: inverse document frequency of each term, ``log(n / (1 + df))``, at least 0
    idf: np.ndarray
    #: the idf summed over each document's terms
    doc_weight: np.ndarray
    #: document × term matrix with 1 for every term a document has (rows: documents)
    documents: Any

    @classmethod
    def of(cls, bm25: Any) -> _LexicalIndex:
        """The index of a ``bm25s.BM25`` that has indexed its corpus."""
        from scipy.sparse import csr_matrix

        sc = bm25.scores
        shape = (len(sc["indptr"]) - 1, int(sc["num_docs"]))
        matrix = csr_matrix((sc["data"], sc["indices"], sc["indptr"]), shape=shape)
        presence = csr_matrix(
            (np.ones(len(sc["data"]), np.float64), sc["indices"], sc["indptr"]), shape=shape
        )
        df = np.diff(presence.indptr)
        idf = np.maximum(np.log(shape[1] / (1.0 + df)), 0.0)
        doc_weight = np.asarray(presence.T @ idf).ravel()
        documents = presence.T.tocsr()
        return cls(dict(bm25.vocab_dict), matrix, presence, idf, doc_weight, documents)

    def _terms(
        self, queries: Sequence[Sequence[str]], unique: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """The indexed terms of each query (each once, or as often as it occurs) as the
        ``(indices, indptr)`` of a query × term CSR matrix."""
        vocab = self.vocabulary
        ids = [np.fromiter((vocab[t] for t in q if t in vocab), np.int64) for q in queries]
        if unique:
            ids = [np.unique(i) for i in ids]
        lengths = np.fromiter(map(len, ids), np.int64, len(ids))
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        return np.concatenate([*ids, np.zeros(0, np.int64)]), indptr

    def overlap(
        self, queries: Sequence[Sequence[str]], rows: Sequence[np.ndarray]
    ) -> list[np.ndarray]:
        """For each query and each of its documents ``rows``: :data:`OVERLAP`.

        Words are weighted by their idf, so sharing *Zika* counts, sharing *says* hardly; a
        post that repeats a claim shares most of the claim's weight, a post on the same topic
        only part of it.
        """
        from scipy.sparse import csr_matrix

        sizes = np.fromiter(map(len, rows), np.int64, len(rows))
        if not sizes.sum():
            return [np.zeros((n, len(OVERLAP))) for n in sizes]
        terms, indptr = self._terms(queries, unique=True)
        shape = (len(queries), self.presence.shape[0])
        posts = csr_matrix((np.ones(len(terms)), terms, indptr), shape=shape)
        # every (post, candidate) pair at once: the terms both have
        pair_post = np.repeat(np.arange(len(rows)), sizes)
        pair_doc = np.concatenate([np.asarray(r, np.int64) for r in rows])
        both = posts[pair_post].multiply(self.documents[pair_doc]).tocsr()
        shared = np.asarray(both @ self.idf).ravel()
        count = np.diff(both.indptr).astype(np.float64)
        post = np.asarray(posts @ self.idf).ravel()[pair_post]
        cover_doc = shared / np.maximum(self.doc_weight[pair_doc], 1e-9)
        cover_post = np.divide(shared, post, out=np.zeros_like(shared), where=post > 0)
        table = np.column_stack([cover_doc, cover_post, count])
        return np.split(table, np.cumsum(sizes)[:-1])

    def best_overlap(
        self, queries: Sequence[Sequence[str]], cover: float, shared: float
    ) -> np.ndarray:
        """For each query, the largest ``cover * cover_factcheck + shared * shared_words`` over
        *every* document (0 when it shares no word with any): with weights of at least 0, a
        bound on what any candidate of the query can reach."""
        from scipy.sparse import csr_matrix, diags

        terms, indptr = self._terms(queries, unique=True)
        shape = (len(queries), self.presence.shape[0])
        # the cover part divides by each document's weight: split it from the count part
        by_cover = csr_matrix((cover * self.idf[terms], terms, indptr), shape=shape)
        by_count = csr_matrix((np.full(len(terms), shared), terms, indptr), shape=shape)
        scale = diags(1 / np.maximum(self.doc_weight, 1e-9))
        combined = (by_cover @ self.presence) @ scale + by_count @ self.presence
        best: np.ndarray = np.maximum(np.asarray(combined.max(axis=1).todense()).ravel(), 0.0)
        return best

    def search(
        self, queries: Sequence[Sequence[str]], k: int
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The ``k`` best documents of each query with a positive score, best first.

        A term repeated in a query counts as often as it occurs (as ``bm25s`` scores it).
        """
        from scipy.sparse import csr_matrix

        terms, indptr = self._terms(queries, unique=False)
        shape = (len(queries), self.matrix.shape[0])
        q = csr_matrix((np.ones(len(terms), np.float32), terms, indptr), shape=shape)
        hits = (q @ self.matrix).tocsr()
        hits.sum_duplicates()
        rows, scores = [], []
        for i in range(len(queries)):
            a, b = hits.indptr[i], hits.indptr[i + 1]
            v, c = hits.data[a:b], hits.indices[a:b].astype(np.int64)
            keep = v > 0
            v, c = v[keep], c[keep]
            if len(v) > k:  # the k-th best score, and every tie of it
                top = v >= np.partition(v, len(v) - k)[len(v) - k]
                v, c = v[top], c[top]
            order = np.lexsort((c, -v))[:k]
            rows.append(c[order])
            scores.append(v[order])
        return rows, scores


def _bm25_norm(query_terms: int) -> float:
    # a BM25 score grows with the number of query terms; this keeps scores comparable
    return 2.0 * math.sqrt(max(query_terms, 1))


#: The pair features, in the order the re-ranker's weights use them: BM25 (relative to the
#: query's length, and to the post's best candidate), USE cosines (claim, title, the larger),
#: the e5 cosine and how far it is below the post's best e5 cosine.
FEATURES = (
    "bm25_norm",
    "bm25_rel",
    "use_claim",
    "use_title",
    "use_max",
    "e5",
    "e5_gap",
)


#: What a post and a fact-check share, by idf weight: the share of the fact-check's words the
#: post has, the share of the post's words the fact-check has, and how many words they share.
OVERLAP = ("cover_factcheck", "cover_post", "shared_words")

#: The features of the decision on a post's best candidate: the re-ranker's probability and
#: the words shared. The cosines rank fact-checks well but cannot tell the same claim from the
#: same topic; the words of the claim can. (The share of the *post's* words is left out: it
#: mostly measures how short a post is.)
DECISION = ("probability", "cover_factcheck", "shared_words")

#: The screen's decision features: the best first (cheap) probability and the words shared.
SCREEN_DECISION = ("first_probability", "cover_factcheck", "shared_words")


#: Where the decision's overlap features stand in :data:`OVERLAP`.
_DECISION_OVERLAP = [OVERLAP.index(name) for name in DECISION[1:]]


def decision_features(probability: float, overlap: np.ndarray) -> np.ndarray:
    """The row of :data:`DECISION` (or :data:`SCREEN_DECISION`) of one candidate."""
    return np.concatenate([[probability], np.asarray(overlap)[_DECISION_OVERLAP]])


def features(cheap: np.ndarray, e5: np.ndarray) -> np.ndarray:
    """All features of a post's first ``len(e5)`` candidates."""
    best = e5.max() if len(e5) else 0.0
    return np.column_stack([cheap[: len(e5)], e5, e5 - best])


def _probability(
    x: np.ndarray,
    weights: Sequence[float],
    bias: float,
    mean: Sequence[float],
    scale: Sequence[float],
) -> np.ndarray:
    """A standardised logistic model's probabilities of the feature rows ``x``."""
    z = (x - np.asarray(mean)) / np.asarray(scale)
    return np.asarray(1 / (1 + np.exp(-(z @ np.asarray(weights) + bias))))


@dataclass(frozen=True)
class Logistic:
    """A logistic model over named features (standardised): a decision's probability."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    def score(self, x: np.ndarray) -> np.ndarray:
        """Probabilities of the feature rows ``x`` (columns: :attr:`names`)."""
        return _probability(np.atleast_2d(x), self.weights, self.bias, self.mean, self.scale)

    def as_dict(self) -> dict[str, Any]:
        """The model as JSON-able data."""
        return {
            "features": list(self.names),
            "weights": self.weights,
            "bias": self.bias,
            "mean": self.mean,
            "scale": self.scale,
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], names: tuple[str, ...]) -> Logistic:
        """A model from :meth:`as_dict` data, whose features must be ``names``."""
        if tuple(data["features"]) != names:
            raise ValueError(f"decision features {data['features']} are not {list(names)}")
        return cls(
            names,
            tuple(data["weights"]),
            float(data["bias"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            data.get("meta", {}),
        )


@dataclass(frozen=True)
class Reranker:
    """A logistic model over :data:`FEATURES`: the probability that a pair is a match."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    #: the screen: the same kind of model over the cheap features only (the first five)
    screen: Reranker | None = None
    #: whether a post's best candidate is a match (:data:`DECISION`), and the screen's
    #: version of it (:data:`SCREEN_DECISION`); without them the probability decides
    decider: Logistic | None = None
    screen_decider: Logistic | None = None

    def score(self, x: np.ndarray) -> np.ndarray:
        """Match probabilities of the feature rows ``x``."""
        return _probability(x, self.weights, self.bias, self.mean, self.scale)

    def as_dict(self) -> dict[str, Any]:
        """The model as JSON-able data."""
        return {
            "features": list(FEATURES[: len(self.weights)]),
            "weights": self.weights,
            "bias": self.bias,
            "mean": self.mean,
            "scale": self.scale,
            "meta": self.meta,
            "screen": self.screen.as_dict() if self.screen is not None else None,
            "decider": self.decider.as_dict() if self.decider is not None else None,
            "screen_decider": (
                self.screen_decider.as_dict() if self.screen_decider is not None else None
            ),
        }

    def to_json(self) -> str:
        """The model as JSON (what the package ships)."""
        return json.dumps(self.as_dict(), indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reranker:
        """A model from :meth:`as_dict` data."""
        if tuple(data["features"]) != FEATURES[: len(data["features"])]:
            raise ValueError(f"re-ranker features {data['features']} are not {list(FEATURES)}")
        return cls(
            tuple(data["weights"]),
            float(data["bias"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            data.get("meta", {}),
            cls.from_dict(data["screen"]) if data.get("screen") else None,
            Logistic.from_dict(data["decider"], DECISION) if data.get("decider") else None,
            Logistic.from_dict(data["screen_decider"], SCREEN_DECISION)
            if data.get("screen_decider")
            else None,
        )

    @classmethod
    def from_json(cls, text: str) -> Reranker:
        """A model written by :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    @classmethod
    def shipped(cls) -> Reranker:
        """The model trained by ``bench/train_matcher.py`` and shipped in the package."""
        text = resources.files("lagebild.claims").joinpath("models/reranker.json").read_text()
        return cls.from_json(text)
