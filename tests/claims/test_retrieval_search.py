"""The search kernels of the retrieval cascade, against the libraries they replace."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lagebild.claims.encoders import _use_model
from lagebild.claims.retrieval import _LexicalIndex, tokenize, top_k

scores = hnp.arrays(
    np.float32,
    st.tuples(st.integers(1, 5), st.integers(1, 300)),
    # few distinct values, so that ties are common
    elements=st.sampled_from([-1.0, 0.0, 0.25, 0.5, 0.75, 1.0]).map(np.float32),
)


@given(scores, st.integers(1, 80))
@settings(max_examples=200, deadline=None)
def test_top_k_is_a_stable_sort_cut_at_k(s: np.ndarray, k: int) -> None:
    cols, vals = top_k(s, k)
    for i in range(s.shape[0]):
        expected = np.argsort(-s[i], kind="stable")[:k]
        assert cols[i].tolist() == expected.tolist()
        assert vals[i].tolist() == s[i, expected].tolist()


def test_top_k_on_wide_rows_uses_block_maxima() -> None:
    s = np.random.default_rng(3).standard_normal((7, 20_000)).astype(np.float32)
    cols, _vals = top_k(s, 40)
    for i in range(7):
        assert cols[i].tolist() == np.argsort(-s[i], kind="stable")[:40].tolist()


DOCS = [
    "Die Wahl wurde durch Briefwahl manipuliert",
    "Ballots were dumped in a river in Wisconsin",
    "Dead people voted in Michigan, thousands of them",
    "Die Stimmzettel wurden in einem Fluss gefunden",
    "Vaccines contain microchips to track people",
    "Voting machines switched votes in Michigan",
    "voted voted voted",
]


def test_lexical_search_scores_as_bm25s() -> None:
    import bm25s

    corpus = [tokenize(d) for d in DOCS]
    bm25 = bm25s.BM25()
    bm25.index(corpus, show_progress=False)
    lexical = _LexicalIndex.of(bm25)
    queries = [
        tokenize(q)
        for q in (
            "dead people voted in Michigan",
            "voted voted in michigan",  # a repeated term counts twice
            "nothing of this is indexed",
            "",
        )
    ]
    rows, found = lexical.search(queries, 3)
    for q, r, f in zip(queries, rows, found, strict=True):
        if not q:
            assert len(r) == 0
            continue
        expected = bm25.get_scores(q)
        best = sorted((-float(expected[d]), d) for d in range(len(DOCS)) if expected[d] > 0)
        assert [d for _, d in best[:3]] == r.tolist()
        assert np.allclose(f, [-s for s, _ in best[:3]])


def test_use_reads_its_vocabulary_with_the_reference_tokenizer() -> None:
    import sentencepiece

    model = _use_model(1)
    tokenizer = model._tokenizer  # type: ignore[attr-defined]
    assert isinstance(tokenizer, sentencepiece.SentencePieceProcessor)
    ids = tokenizer.encode(
        "Die Briefwahl wurde manipuliert", out_type=int, add_bos=True, add_eos=True
    )
    assert ids[0] == 1 and len(ids) > 4


@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=6), max_size=80))
@settings(max_examples=50, deadline=None)
def test_embedding_cache_finds_every_vector_added_in_many_batches(batches: list[list[int]]) -> None:
    from lagebild.claims.encoders import EmbeddingCache

    cache = EmbeddingCache(None, "test", 2)
    added: dict[int, float] = {}
    for batch in batches:
        new = sorted(set(batch) - set(added))
        cache.add(np.array(new, np.uint64), np.array([[k % 97, 1.0] for k in new], np.float32))
        added |= {k: float(k % 97) for k in new}
    assert len(cache) == len(added)
    probe = np.array([*added, 7, 2**64 - 2], np.uint64)
    found, vectors = cache.lookup(probe)
    for k, f, v in zip(probe.tolist(), found, vectors, strict=True):
        assert f == (k in added)
        assert v[0] == added.get(k, 0.0)
