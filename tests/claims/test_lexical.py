"""The lexical head of claim detection: n-grams, hashing, the head and its blend."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagebild.claims.checkworthy import CheckworthyModel
from lagebild.claims.lexical import DIM, LexicalHead, grams, ngram_matrix


def test_grams_are_padded_character_ngrams_words_and_word_pairs() -> None:
    assert grams("Ab") == ["c a", "cab", "cb ", "c ab", "cab ", "c ab ", "wab"]
    out = grams("Die Wahl")
    assert "c wahl" in out and "cwahl " in out and "c di" in out
    assert "c wahl " not in out  # five characters at most
    assert [g for g in out if g[0] in "wb"] == ["wdie", "wwahl", "bdie wahl"]


def test_rows_are_hashed_damped_and_unit_length() -> None:
    m = ngram_matrix(["Ab", "AB", "", "ab ab"])
    assert m.shape == (4, DIM)
    assert np.allclose(m[0].toarray(), m[1].toarray())  # lower-cased
    assert np.isclose(m[0].multiply(m[0]).sum(), 1.0)
    assert m[2].nnz == 0  # an empty text is a zero row, not an error
    word, pair = zlib.crc32(b"wab") % DIM, zlib.crc32(b"bab ab") % DIM
    assert m[0, word] > 0 and m[0, pair] == 0
    # "ab ab": the word twice (1 + log 2), the pair once (1)
    assert m[3, word] / m[3, pair] == pytest.approx(1 + np.log(2))


@given(st.lists(st.text(max_size=80), max_size=8))
def test_any_text_gives_a_finite_unit_or_zero_row(texts: list[str]) -> None:
    m = ngram_matrix(texts)
    norms = np.asarray(m.multiply(m).sum(axis=1)).ravel()
    assert np.all(np.isclose(norms, 1.0) | (norms == 0))


def test_a_head_round_trips_through_json_data() -> None:
    rng = np.random.default_rng(1)
    head = LexicalHead(rng.normal(size=DIM), -0.25)
    back = LexicalHead.from_dict(head.as_dict())
    assert back.bias == -0.25
    assert np.allclose(back.weights, head.weights, atol=2e-3)  # float16
    texts = ["Die Arbeitslosigkeit ist gestiegen.", "Ich finde das peinlich."]
    assert np.allclose(back.predict(texts), head.predict(texts), atol=2e-3)
    broken = {**head.as_dict(), "dim": DIM + 1}
    with pytest.raises(ValueError, match="weights for dim"):
        LexicalHead.from_dict(broken)


def test_the_model_blends_the_lexical_probability_of_its_language() -> None:
    weights = np.zeros(DIM)
    weights[zlib.crc32(b"wprozent") % DIM] = 40.0
    head = LexicalHead(weights, 0.0)
    model = CheckworthyModel(
        encoder="use",
        hand=(),
        mean=np.zeros(2),
        scale=np.ones(2),
        heads={"de": (np.zeros(2), 0.0), "default": (np.zeros(2), 0.0)},
        thresholds={"de": 0.5, "default": 0.5},
        lexical={"de": (head, 0.4)},
    )
    texts = ["Es sind 12 Prozent.", "Es sind 12 Prozent."]
    p = model.predict(np.zeros((2, 2)), ["de", "fr"], texts)
    lexical = head.predict(texts[:1])[0]
    assert lexical > 0.9
    assert p[0] == pytest.approx(0.6 * 0.5 + 0.4 * lexical)
    assert p[1] == pytest.approx(0.5)  # no lexical head for the default head
    assert model.predict(np.zeros((1, 2)), ["de"])[0] == pytest.approx(0.5)  # no texts
    again = CheckworthyModel.from_json(model.to_json())
    assert again.predict(np.zeros((2, 2)), ["de", "fr"], texts) == pytest.approx(p, abs=2e-3)
