"""The words a claim is made of: hashed n-gram features and a linear head over them.

A sentence embedding says what a text is about; whether it *states a checkable fact* also
shows in its words ("laut", "Prozent", "wurde", "hat ... gesagt", digits, names). The lexical
head reads them: character n-grams of 2–5 letters within words (so "Briefwahl" and
"Briefwahlen" share most of theirs) and word uni- and bigrams, counted, damped
(1 + log count), hashed into :data:`DIM` buckets with CRC-32 (stable across runs and
machines, no vocabulary to ship) and scaled to unit length. A logistic regression over them
gives a second claim probability, which :class:`~lagebild.claims.checkworthy.CheckworthyModel`
blends with the embedding head's. Pure NumPy/SciPy at run time; trained by
``bench/train_checkworthy.py``.
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse

__all__ = ["DIM", "LexicalHead", "grams", "ngram_matrix"]

#: Hash buckets of the n-gram features.
DIM = 1 << 16

_WORD = re.compile(r"\b\w\w+\b")


def grams(text: str) -> list[str]:
    """The n-grams of ``text`` (lower-cased): ``c`` + character 2–5-grams of each word padded
    with a space on both sides, ``w`` + words of two or more characters, ``b`` + word pairs."""
    lowered = text.lower()
    out: list[str] = []
    for word in lowered.split():
        padded = f" {word} "
        for n in range(2, min(5, len(padded)) + 1):
            out.extend("c" + padded[i : i + n] for i in range(len(padded) - n + 1))
    words = _WORD.findall(lowered)
    out.extend("w" + w for w in words)
    out.extend(f"b{a} {b}" for a, b in pairwise(words))
    return out


def ngram_matrix(texts: Sequence[str], dim: int = DIM) -> sparse.csr_matrix:
    """One row per text: damped n-gram counts in ``dim`` hash buckets, unit length."""
    indices: list[int] = []
    indptr = [0]
    for text in texts:
        indices.extend(zlib.crc32(g.encode("utf-8")) % dim for g in grams(text))
        indptr.append(len(indices))
    m = sparse.csr_matrix(
        (np.ones(len(indices), np.float64), np.asarray(indices, np.int64), np.asarray(indptr)),
        shape=(len(texts), dim),
    )
    m.sum_duplicates()
    m.data = 1.0 + np.log(m.data)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ m)


@dataclass(frozen=True)
class LexicalHead:
    """A logistic model over :func:`ngram_matrix` rows: a claim probability from the words."""

    weights: np.ndarray
    bias: float

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Claim probability of each text."""
        if not texts:
            return np.zeros(0)
        return self.predict_rows(ngram_matrix(texts, len(self.weights)))

    def predict_rows(self, rows: sparse.csr_matrix) -> np.ndarray:
        """Claim probability of each row of :func:`ngram_matrix`."""
        logits = rows @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-logits)))

    def as_dict(self) -> dict[str, Any]:
        """JSON-able data: the weights as base64 of little-endian float16 (128 KB for 2^16)."""
        raw = np.asarray(self.weights, "<f2").tobytes()
        return {
            "dim": len(self.weights),
            "bias": float(f"{self.bias:.6g}"),
            "weights_f16": base64.b64encode(raw).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LexicalHead:
        """A head written by :meth:`as_dict`."""
        weights = np.frombuffer(base64.b64decode(data["weights_f16"]), "<f2")
        if len(weights) != int(data["dim"]):
            raise ValueError(f"lexical head: {len(weights)} weights for dim {data['dim']}")
        return cls(weights.astype(np.float64), float(data["bias"]))
