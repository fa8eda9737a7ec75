"""Normalising fact-checkers' ratings to five verdicts: false, misleading, true, mixed, other.

Every fact-checker words its ratings differently ("Falsch", "Fehlender Kontext", "Pants on
Fire", "Mostly False", "Four Pinocchios", "Trompeur" ...). Matching and alerts need one small
vocabulary, so each rating is mapped to a **verdict**:

``false``
    the claim is wrong: false, fake, hoax, fabricated, altered/manipulated media, scams,
    misattributed quotes, "pants on fire", four Pinocchios; *falsch*, *frei erfunden*,
    *Fälschung*, *manipuliert*, *unwahr*, *stimmt nicht*.
``misleading``
    true elements, wrong impression: misleading, missing/lacking/false context, out of
    context, exaggerated, miscaptioned, cherry-picked, *partly false* and *mostly false*
    (PolitiFact: "contains an element of truth but ignores critical facts"), three Pinocchios;
    *irreführend*, *fehlender Kontext*, *aus dem Zusammenhang gerissen*, *teilweise falsch*,
    *überwiegend falsch*, *übertrieben*, *verkürzt*.
``mixed``
    about half right: half true, mixture, partly true, two Pinocchios; *halb wahr*,
    *teilweise richtig*, *teils, teils*.
``true``
    the claim holds: true, correct, accurate, legit, *mostly true* (PolitiFact: "accurate but
    needs clarification"), one Pinocchio; *richtig*, *wahr*, *stimmt*, *zutreffend*, *belegt*.
``other``
    everything else, named or not: satire and parody, opinion, unproven/unverified/no
    evidence (*unbelegt*, *nicht belegt*, *unklar*), outdated, flip-flops, and any rating we do
    not recognise.

How a rating is read (:func:`verdict_from_text`): the text is case-folded, accents are
dropped (*irreführend* → *irrefuhrend*; the *ue* spelling is listed too) and punctuation
becomes space. Then the rules below are tried **in order, first match wins**; each rule is a
list of whole-word phrases. The order settles ratings that contain several verdict words:
satire and opinion come first ("Satire (not true)" is ``other``); negations ("not true",
"stimmt nicht") come before *true*; qualified ratings ("teilweise falsch", "half true",
"mostly false") before the plain words they contain; *misleading* before *false* ("misleading:
the photo is fake"); "unproven"/"no evidence" after *false* (so "False. There is no evidence
that ..." stays ``false``) but before *true* ("nicht belegt" must not read as *belegt*). A
few French, Spanish, Italian, Portuguese and Dutch words are covered as well.

When no rule matches, schema.org's numeric rating is used (:func:`verdict_from_scale`): the
position of ``ratingValue`` between ``worstRating`` and ``bestRating`` (schema.org's defaults
1 and 5 when they are not given), which on Google's recommended 1-5 scale reads 1 false,
2 misleading (mostly false), 3 mixed, 4 and 5 true. Otherwise the verdict is ``other``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Final

__all__ = [
    "VERDICTS",
    "normalize_rating_text",
    "normalize_verdict",
    "verdict_from_scale",
    "verdict_from_text",
]

#: The five normalised verdicts, in this order wherever they are listed.
VERDICTS: Final = ("false", "misleading", "true", "mixed", "other")

# Ordered rules: (verdict, phrases). Phrases are written in normalised form (see
# normalize_rating_text) and matched as whole words; the first rule with a match wins.
_RULES: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    # Named "other" ratings that may come with verdict words ("Satire (not true)").
    (
        "other",
        (
            "satire", "satirical", "satirisch", "labeled satire", "parody", "parodie",
            "humor", "humour", "opinion", "meinung", "research in progress", "legend",
            "outdated", "veraltet", "flip flop", "full flop", "half flip", "no flip",
            "in the works", "promise kept", "promise broken", "compromise", "stalled",
        ),
    ),
    # Negated "true" words: false.
    (
        "false",
        (
            "not true", "untrue", "stimmt so nicht", "so nicht richtig", "not correct",
            "incorrect", "not accurate", "inaccurate",
            "not real", "nicht wahr", "unwahr", "stimmt nicht", "nicht richtig", "unrichtig",
            "nicht korrekt", "inkorrekt", "nicht zutreffend", "unzutreffend", "trifft nicht zu",
            "nicht echt", "niet waar", "onwaar", "pas vrai", "no es cierto", "nao e verdade",
        ),
    ),
    # Qualified ratings that contain a plain verdict word.
    (
        "misleading",
        (
            "mostly false", "partly false", "partially false", "largely false", "half false",
            "teilweise falsch", "teils falsch", "zum teil falsch", "uberwiegend falsch",
            "ueberwiegend falsch", "grosstenteils falsch", "groesstenteils falsch",
            "weitgehend falsch", "meist falsch", "nicht ganz richtig", "nicht ganz korrekt",
            "nicht ganz wahr", "not quite", "not entirely", "not the whole story",
            "three pinocchios", "3 pinocchios", "partiellement faux", "plutot faux",
            "parcialmente falso", "parzialmente falso", "gedeeltelijk onwaar",
            "falscher kontext", "falscher zusammenhang", "kontext falsch", "false context",
            "wrong context", "false connection", "halbwahrheit",
        ),
    ),
    (
        "mixed",
        (
            "half true", "half right", "halb wahr", "halbwahr", "halb richtig",
            "teilweise richtig", "teilweise wahr", "teilweise korrekt", "teils richtig",
            "teils wahr", "teils teils", "zum teil richtig", "zum teil wahr", "stimmt teilweise",
            "stimmt zum teil", "nur teilweise", "nur zum teil", "partly true", "partially true",
            "partly correct",
            "partially correct", "mixture", "mixed", "gemischt", "two pinocchios",
            "2 pinocchios", "partiellement vrai", "parcialmente verdadero", "verdad a medias",
            "meia verdade", "gedeeltelijk waar", "half waar",
        ),
    ),
    (
        "true",
        (
            "mostly true", "largely true", "mostly correct", "uberwiegend richtig",
            "ueberwiegend richtig", "uberwiegend wahr", "ueberwiegend wahr",
            "grosstenteils richtig", "groesstenteils richtig", "weitgehend richtig",
            "meist richtig", "meist wahr", "one pinocchio", "1 pinocchio", "geppetto",
            "correct attribution",
        ),
    ),
    (
        "misleading",
        (
            "misleading", "mislead", "irrefuhrend", "irrefuehrend", "irregefuhrt",
            "missing context", "lacks context", "lacking context", "needs context",
            "out of context", "without context", "fehlender kontext", "fehlender zusammenhang",
            "kontext fehlt", "zusammenhang fehlt", "ohne kontext", "ohne zusammenhang",
            "aus dem kontext gerissen", "aus dem zusammenhang gerissen", "verkurzt",
            "verkuerzt", "verzerrt", "verdreht", "ubertrieben", "uebertrieben", "exaggerated",
            "exaggeration", "overstated", "miscaptioned", "cherry picks", "cherry picked",
            "spin", "distorted", "distorts", "trompeur", "trompeuse", "manque de contexte",
            "hors contexte", "enganoso", "enganosa", "sacado de contexto", "falta contexto",
            "fuorviante", "fuori contesto", "enganador", "fora de contexto", "misleidend",
            "zonder context",
        ),
    ),
    (
        "false",
        (
            "false", "falsely", "falsch", "falsche", "falscher", "fake", "fakes", "fake news",
            "hoax", "pants on fire", "fabricated", "fabrication", "erfunden", "frei erfunden",
            "fabriziert", "falschung", "faelschung", "gefalscht", "gefaelscht",
            "manipuliert", "manipulated", "altered", "doctored", "edited", "photoshopped",
            "wrong", "scam", "betrug", "four pinocchios", "4 pinocchios", "misattributed",
            "falsely attributed", "debunked", "widerlegt", "lie", "luge", "lugen", "luege",
            "fiction", "bogus", "faux", "fausse", "falso", "falsa", "bulo", "nep",
        ),
    ),
    # Unproven ratings: after "false", before "true" (which would take "nicht belegt").
    (
        "other",
        (
            "unproven", "unbewiesen", "unverified", "not verified", "nicht verifiziert",
            "unbelegt", "nicht belegt", "nicht bestatigt", "nicht bestaetigt", "not confirmed",
            "unconfirmed", "unverifiable", "nicht uberprufbar", "nicht ueberpruefbar",
            "no evidence", "keine belege", "keine beweise", "unklar", "undetermined",
            "unknown", "unsubstantiated", "disputed", "umstritten", "zweifelhaft", "dubious",
            "sin evidencia", "sem evidencias", "insuffisant", "non verifie",
        ),
    ),
    (
        "true",
        (
            "true", "correct", "accurate", "legit", "legitimate", "real", "confirmed",
            "verified", "richtig", "wahr", "korrekt", "zutreffend", "trifft zu", "stimmt",
            "belegt", "bestatigt", "bestaetigt", "echt", "vrai", "verdadero", "verdadera",
            "cierto", "vero", "verdadeiro", "verdade", "waar", "juist",
        ),
    ),
)  # fmt: skip


def _compile(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")


_COMPILED: Final = tuple((verdict, _compile(phrases)) for verdict, phrases in _RULES)
_NON_WORD: Final = re.compile(r"[\W_]+")

# Position on the scale (0 = worst, 1 = best) -> verdict: the 1-5 scale reads
# 1 false, 2 misleading, 3 mixed, 4-5 true.
_SCALE: Final = ((0.125, "false"), (0.375, "misleading"), (0.625, "mixed"), (math.inf, "true"))


def normalize_rating_text(text: str) -> str:
    """A rating case-folded, without accents or punctuation: the form the rules are written in.

    ``"Irreführend!"`` → ``"irrefuhrend"``; ``"Pants-on-Fire"`` → ``"pants on fire"``.
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", bare).strip()


def verdict_from_text(rating: str | None) -> str | None:
    """The verdict a textual rating names, or ``None`` when no rule recognises it.

    Rules are tried in order and the first match wins (see the module docstring).
    """
    if not rating or not isinstance(rating, str):
        return None
    text = normalize_rating_text(rating[:2000])
    if not text:
        return None
    for verdict, pattern in _COMPILED:
        if pattern.search(text):
            return verdict
    return None


def verdict_from_scale(value: Any, best: Any = None, worst: Any = None) -> str | None:
    """The verdict of a numeric ``reviewRating`` (schema.org), or ``None`` if it is unusable.

    ``best`` and ``worst`` default to schema.org's 5 and 1. A value outside the scale, a
    scale with ``best == worst``, or anything that is not a number gives ``None``. Scales
    where the worst value is the larger number (``worstRating`` 5, ``bestRating`` 1) work too.
    """
    v = _number(value)
    hi = _number(best) if best not in (None, "") else 5.0
    lo = _number(worst) if worst not in (None, "") else 1.0
    if v is None or hi is None or lo is None or hi == lo:
        return None
    position = (v - lo) / (hi - lo)
    if not 0.0 <= position <= 1.0:
        return None
    for upper, verdict in _SCALE:
        if position < upper:
            return verdict
    return None  # pragma: no cover - the last bound is infinite


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        out = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        return None
    return out if math.isfinite(out) else None


def normalize_verdict(
    rating: str | None, value: Any = None, best: Any = None, worst: Any = None
) -> str:
    """One of :data:`VERDICTS` for a published rating; never raises.

    The textual ``rating`` decides when a rule recognises it; otherwise the numeric
    ``value`` on the ``worst``..``best`` scale; otherwise ``other``.
    """
    return verdict_from_text(rating) or verdict_from_scale(value, best, worst) or "other"
