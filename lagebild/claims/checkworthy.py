"""Check-worthy claims: which sentences of posts and transcripts state a checkable fact.

A rapid-response team cannot check every sentence of a two-hour livestream or of a day of
posts; it needs the sentences that assert something factual and refutable ("Die
Arbeitslosigkeit ist 2023 um 12 % gestiegen."), not opinions, questions, personal
experience or predictions ("Ich finde das einfach nur peinlich.").

Method: each sentence is embedded with the multilingual Universal Sentence Encoder
(:mod:`lagebild.claims.encoders`, ``use``), a few cheap surface features are added
(:data:`HAND_FEATURES`: digits, question and exclamation marks, first- and second-person
pronouns, modal and future verbs, length), and a logistic regression on the standardised
features gives the probability that the sentence is a check-worthy factual claim. It was
trained here (``bench/train_checkworthy.py``) on German Facebook comments (GermEval 2021
subtask 3, fact-claiming) and English debate sentences (CheckThat! 2024 task 1) together,
with Daumé's feature augmentation ("Frustratingly easy domain adaptation", ACL 2007): the
German and English heads share most of their weights and each adds its own, and the shared
weights alone are the ``default`` head for other languages. For German and English a second,
lexical head reads the sentence's words (:mod:`lagebild.claims.lexical`: hashed character and
word n-grams), and the two probabilities are blended with a share chosen by cross-validation.
The decision threshold of each head was chosen on cross-validated training scores; the
measured quality is in the model file (``meta.scores``) and in ``docs/claims.md``.

The language of a text is the post's ``lang`` when known; otherwise
:func:`lagebild.claims.values.guess_language` decides between German and English by counting
function words (a light heuristic that answers only when the text is clearly one of them).
Texts in other languages, and those it cannot tell, get the ``default`` head and threshold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

from lagebild.claims.encoders import EmbeddingCache, Encoder, encode_cached, load_encoder
from lagebild.claims.lexical import LexicalHead
from lagebild.claims.sentences import MAX_CHARS, Sentence, split_sentences
from lagebild.claims.values import guess_language
from lagebild.errors import ConfigError, FormatError

__all__ = [
    "HAND_FEATURES",
    "CheckworthyModel",
    "CheckworthyParams",
    "ClaimSentence",
    "detect_claims",
    "hand_features",
    "model_text",
    "score_texts",
    "word_count",
]


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"(?<![\w@])@\w+")
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

_FIRST_SINGULAR = _wordset("ich mich mir mein meine meinen meinem meiner i me my mine i'm i've")
_FIRST_PLURAL = _wordset("wir uns unser unsere unseren unserem unserer we us our ours we're")
_SECOND = _wordset("du dich dir dein deine euch euer eure ihr you your yours you're")
_MODAL = _wordset(
    "wird werden würde würden wird's sollte sollten soll sollen muss müssen müsste könnte "
    "könnten kann können will wollen möchte mag will would should could must might may "
    "shall gonna won't can't"
)

#: The cheap surface features the model may use besides the embedding, in this order.
HAND_FEATURES = (
    "digits",
    "question",
    "exclamation",
    "first_singular",
    "first_plural",
    "second_person",
    "modal",
    "log_words",
)


def model_text(text: str) -> str:
    """The text the model sees: links dropped, mentions as ``@USER`` (as in GermEval)."""
    return " ".join(_MENTION.sub("@USER", _URL.sub(" ", text)).split())


def word_count(text: str) -> int:
    """Words of ``text`` as the ``min_words`` rule counts them (links and digits not counted)."""
    return len(_WORDS.findall(model_text(text)))


def hand_features(texts: Sequence[str]) -> np.ndarray:
    """:data:`HAND_FEATURES` of each text (rows of float32), from its :func:`model_text`."""
    out = np.zeros((len(texts), len(HAND_FEATURES)), np.float32)
    for i, text in enumerate(texts):
        words = [w.lower() for w in _WORDS.findall(text)]
        out[i] = (
            any(c.isdigit() for c in text),
            "?" in text,
            "!" in text,
            any(w in _FIRST_SINGULAR for w in words),
            any(w in _FIRST_PLURAL for w in words),
            any(w in _SECOND for w in words),
            any(w in _MODAL for w in words),
            np.log1p(len(words)),
        )
    return out


@dataclass(frozen=True)
class CheckworthyModel:
    """Linear heads over [embedding, hand features] -> claim probability, one per language.

    Inputs are standardised with ``mean`` and ``scale``; ``heads`` maps a language (``de``,
    ``en``, and ``default`` for every other language) to its (weights, bias), and
    ``thresholds`` maps the same keys to the decision threshold.
    """

    encoder: str
    hand: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    heads: Mapping[str, tuple[np.ndarray, float]]
    thresholds: Mapping[str, float]
    meta: Mapping[str, Any] = field(default_factory=dict)
    #: per language, a head over the text's n-grams and the share of its probability in the
    #: blend (see :mod:`lagebild.claims.lexical`); languages without one use the embedding alone
    lexical: Mapping[str, tuple[LexicalHead, float]] = field(default_factory=dict)

    def features(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """The input rows: embedding vectors, then the model's hand features."""
        if not self.hand:
            return np.asarray(vectors, np.float32)
        columns = [HAND_FEATURES.index(name) for name in self.hand]
        return np.hstack([vectors, hand_features(texts)[:, columns]]).astype(np.float32)

    def head(self, language: str | None) -> str:
        """The key of the head and threshold used for ``language``."""
        if language is not None and language in self.heads and language in self.thresholds:
            return language
        return "default"

    def predict(
        self,
        x: np.ndarray,
        languages: Sequence[str | None],
        texts: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Claim probabilities of feature rows ``x`` (see :meth:`features`), row by row in
        the given languages; with the ``texts`` (as :func:`model_text` gives them), blended
        with the lexical head of their language where there is one."""
        z = (np.asarray(x, np.float64) - self.mean) / self.scale
        keys = np.asarray([self.head(lang) for lang in languages])
        logits = np.zeros(len(z))
        for key in np.unique(keys):
            rows = keys == key
            weights, bias = self.heads[str(key)]
            logits[rows] = z[rows] @ weights + bias
        p = np.asarray(1.0 / (1.0 + np.exp(-logits)))
        if texts is not None:
            for key, (head, share) in self.lexical.items():
                rows = np.flatnonzero(keys == key)
                if len(rows) and share > 0:
                    lexical = head.predict([texts[int(i)] for i in rows])
                    p[rows] = (1 - share) * p[rows] + share * lexical
        return p

    def threshold(self, language: str | None) -> float:
        """The decision threshold for texts in ``language``."""
        return float(self.thresholds[self.head(language)])

    def to_json(self) -> str:
        """The model as JSON (what the package ships), floats rounded to 6 significant digits."""

        def floats(a: np.ndarray) -> list[float]:
            return [float(f"{v:.6g}") for v in np.asarray(a, np.float64).reshape(-1)]

        return json.dumps(
            {
                "model": "checkworthy",
                "encoder": self.encoder,
                "hand_features": list(self.hand),
                "mean": floats(self.mean),
                "scale": floats(self.scale),
                "heads": {
                    key: {"weights": floats(w), "bias": float(f"{b:.6g}")}
                    for key, (w, b) in self.heads.items()
                },
                "thresholds": dict(self.thresholds),
                "lexical": {
                    key: {"share": share, **head.as_dict()}
                    for key, (head, share) in self.lexical.items()
                },
                "meta": dict(self.meta),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str, source: str = "model") -> CheckworthyModel:
        """A model written by :meth:`to_json`."""
        try:
            data = json.loads(text)
            if data.get("model") != "checkworthy":
                raise ValueError("no 'model': 'checkworthy'")
            unknown = [h for h in data["hand_features"] if h not in HAND_FEATURES]
            if unknown:
                raise ValueError(f"unknown hand features {unknown}")
            model = cls(
                encoder=str(data["encoder"]),
                hand=tuple(data["hand_features"]),
                mean=np.asarray(data["mean"], np.float64),
                scale=np.asarray(data["scale"], np.float64),
                heads={
                    str(k): (np.asarray(h["weights"], np.float64), float(h["bias"]))
                    for k, h in data["heads"].items()
                },
                thresholds={str(k): float(v) for k, v in data["thresholds"].items()},
                meta=data.get("meta", {}),
                lexical={
                    str(k): (LexicalHead.from_dict(h), float(h["share"]))
                    for k, h in data.get("lexical", {}).items()
                },
            )
            if "default" not in model.heads or "default" not in model.thresholds:
                raise ValueError("no default head or threshold")
            if any(len(w) != len(model.mean) for w, _ in model.heads.values()):
                raise ValueError("heads and standardisation differ in size")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise FormatError(
                f"{source}: not a check-worthiness model ({exc})",
                hint="write the model with bench/train_checkworthy.py",
            ) from None
        return model

    @classmethod
    def shipped(cls) -> CheckworthyModel:
        """The model trained by ``bench/train_checkworthy.py`` and shipped in the package."""
        return _shipped()


@cache
def _shipped() -> CheckworthyModel:
    path = resources.files("lagebild.claims").joinpath("models/checkworthy.json")
    return CheckworthyModel.from_json(path.read_text(encoding="utf-8"), str(path))


@dataclass(frozen=True)
class CheckworthyParams:
    """Every setting of claim detection, with its default."""

    #: one decision threshold for all languages (None: the shipped per-language thresholds)
    threshold: float | None = None
    #: sentences with fewer words (links not counted) are never claims ("Ja.", "Wie bitte?")
    min_words: int = 4
    #: longer sentences (speech without punctuation) are cut, see lagebild.claims.sentences
    max_chars: int = MAX_CHARS
    #: in texts (not transcripts), a line break ends a sentence (posts)
    line_breaks: bool = True
    #: sentences encoded and scored per batch (bounded memory, progress between batches)
    batch: int = 512

    def __post_init__(self) -> None:
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ConfigError(
                f"threshold must be between 0 and 1, got {self.threshold}",
                hint="a probability such as 0.5; leave it out for the calibrated ones",
            )
        if self.min_words < 0 or self.max_chars < 20 or self.batch < 1:
            raise ConfigError(
                "min_words must be >= 0, max_chars >= 20 and batch >= 1",
                hint="the defaults are min_words=4, max_chars=300, batch=512",
            )


class ClaimSentence(NamedTuple):
    """One scored sentence: where it is, its claim probability, and the decision.

    ``item`` is the index of the input text (or sentence) it came from; ``start``/``end``
    are offsets into that text; ``line`` and the times are those of the input sentence (see
    :class:`~lagebild.claims.sentences.Sentence`). ``label`` is ``claim`` or ``other``.
    """

    item: int
    text: str
    start: int
    end: int
    score: float
    label: str
    language: str | None
    threshold: float
    line: int | None = None
    time_start: float | None = None
    time_end: float | None = None

    @property
    def is_claim(self) -> bool:
        """Whether the sentence was judged a check-worthy claim."""
        return self.label == "claim"


def score_texts(
    texts: Sequence[str],
    languages: str | Sequence[str | None] | None = None,
    *,
    model: CheckworthyModel | None = None,
    encoder: Encoder | None = None,
    cache: EmbeddingCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Claim probability of each text as a whole (a sentence, or a short post).

    ``languages``: one for all texts or one per text; ``None`` guesses each text's language.
    """
    model = model or CheckworthyModel.shipped()
    encoder = encoder or load_encoder(model.encoder, threads=1)
    _check_encoder(model, encoder)
    if not texts:
        return np.zeros(0)
    return _score(model, encoder, cache, texts, _languages(texts, languages), progress)


def _check_encoder(model: CheckworthyModel, encoder: Encoder) -> None:
    if encoder.dim + len(model.hand) != len(model.mean):
        raise ConfigError(
            f"encoder {encoder.name} gives {encoder.dim} dimensions; the model expects "
            f"{len(model.mean) - len(model.hand)}",
            hint=f"use the encoder the model was trained with ({model.encoder})",
        )


def _score(
    model: CheckworthyModel,
    encoder: Encoder,
    cache: EmbeddingCache | None,
    texts: Sequence[str],
    languages: Sequence[str | None],
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    seen = [model_text(t) for t in texts]
    vectors = encode_cached(encoder, seen, "query", cache, progress)
    return model.predict(model.features(vectors, seen), languages, seen)


def _languages(
    texts: Sequence[str | Sentence], languages: str | Sequence[str | None] | None
) -> list[str | None]:
    """One language per text: the given one(s), else guessed from the text."""
    if isinstance(languages, str) or languages is None:
        given: Sequence[str | None] = [languages] * len(texts)
    elif len(languages) != len(texts):
        raise ConfigError(
            f"{len(languages)} languages given for {len(texts)} items",
            hint="give one language for all items, or one per item",
        )
    else:
        given = languages
    return [
        lang or guess_language(text if isinstance(text, str) else text.text)
        for text, lang in zip(texts, given, strict=True)
    ]


def detect_claims(
    items: Sequence[str | Sentence],
    languages: str | Sequence[str | None] | None = None,
    params: CheckworthyParams | None = None,
    *,
    model: CheckworthyModel | None = None,
    encoder: Encoder | None = None,
    cache: EmbeddingCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ClaimSentence]:
    """Every sentence of ``items`` with its claim probability and decision, in input order.

    A ``str`` item (a post, a text) is split into sentences; a
    :class:`~lagebild.claims.sentences.Sentence` (e.g. from
    :meth:`Transcript.sentences <lagebild.claims.sentences.Transcript.sentences>`) is scored
    as it is. ``languages`` is one language for all items, or one per item (``None``:
    guessed from the item). ``progress(done, total)`` counts items.
    """
    p = params or CheckworthyParams()
    model = model or CheckworthyModel.shipped()
    encoder = encoder or load_encoder(model.encoder, threads=1)
    _check_encoder(model, encoder)
    langs = _languages(items, languages)
    out: list[ClaimSentence] = []
    pending: list[tuple[int, Sentence, str | None]] = []

    def flush() -> None:
        texts = [s.text for _, s, _ in pending]
        scores = _score(model, encoder, cache, texts, [lang for _, _, lang in pending])
        for (item, s, lang), score in zip(pending, scores, strict=True):
            threshold = p.threshold if p.threshold is not None else model.threshold(lang)
            long_enough = word_count(s.text) >= p.min_words
            label = "claim" if long_enough and score >= threshold else "other"
            out.append(
                ClaimSentence(
                    item=item,
                    text=s.text,
                    start=s.start,
                    end=s.end,
                    score=float(score),
                    label=label,
                    language=lang,
                    threshold=threshold,
                    line=s.line,
                    time_start=s.time_start,
                    time_end=s.time_end,
                )
            )
        pending.clear()

    for i, (item, lang) in enumerate(zip(items, langs, strict=True)):
        if isinstance(item, str):
            sentences = split_sentences(item, line_breaks=p.line_breaks, max_chars=p.max_chars)
        else:
            sentences = [item]
        pending.extend((i, s, lang) for s in sentences)
        if len(pending) >= p.batch:
            flush()
            if progress is not None:
                progress(i + 1, len(items))
    if pending:
        flush()
    if progress is not None:
        progress(len(items), len(items))
    return out
