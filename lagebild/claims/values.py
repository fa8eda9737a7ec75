"""Values of fact-check records: publication dates and languages, as fact-checkers write them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

from lagebild.errors import RecordError

__all__ = [
    "ISO_639_1",
    "claim_key",
    "date_or_none",
    "guess_language",
    "language_code",
    "parse_date",
]


# --- claims ---------------------------------------------------------------------------------

_CLAIM_WORD: Final = re.compile(r"\w+", re.UNICODE)


def claim_key(claim: str) -> str:
    """The words of a claim, case-folded, in order: fact-checks with the same key check the
    same claim (a claim checked twice, or imported from two feeds, differs only in case,
    punctuation or quote style). Empty for a claim without words."""
    return " ".join(_CLAIM_WORD.findall(claim.casefold()))


# --- dates ----------------------------------------------------------------------------------

_MONTHS: Final = {
    **{m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june",
       "july", "august", "september", "october", "november", "december"), start=1)},
    **{m: i for i, m in enumerate(("januar", "februar", "marz", "april", "mai", "juni", "juli",
       "august", "september", "oktober", "november", "dezember"), start=1)},
    "jänner": 1, "jaenner": 1, "maerz": 3, "märz": 3, "sept": 9,
}  # fmt: skip
_ISO_DATE: Final = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")
_DMY_NUM: Final = re.compile(r"^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})$")
_DMY_WORD: Final = re.compile(r"^(\d{1,2})\.?\s*([^\W\d_]+)\.?,?\s+(\d{4})$")
_MDY_WORD: Final = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


def _month(word: str) -> int:
    w = word.casefold()
    if w in _MONTHS:
        return _MONTHS[w]
    for name, number in _MONTHS.items():
        if len(w) >= 3 and name.startswith(w):
            return number
    raise ValueError(f"unknown month {word!r}")


def parse_date(value: Any, field_name: str) -> dt.date | None:
    """A calendar date from the shapes fact-checkers publish; ``None`` when it is missing.

    Accepts ISO 8601 dates and date-times (the date part as written, in the publisher's time
    zone), ``26 May 2015``, ``21February 2009``, ``May 26, 2015``, ``26. Mai 2015`` and
    ``26.05.2015``. Anything else, or a year outside 1900-2099, raises :class:`RecordError`
    naming ``field_name``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise RecordError(f"{field_name} is not a date: {value!r}")
    s = value.strip()
    if not s:
        return None
    try:
        out = _parse_date_text(s)
    except ValueError:
        raise RecordError(f"unreadable {field_name}: {value[:80]!r}") from None
    if not 1900 <= out.year <= 2099:
        raise RecordError(f"implausible {field_name}: {value[:80]!r} (outside 1900-2099)")
    return out


def date_or_none(value: Any, field_name: str) -> dt.date | None:
    """Like :func:`parse_date`, but an unreadable date is ``None``.

    For publishers' and benchmarks' data, where a garbled date must not cost the fact-check
    (the claim is what matching needs); a team's own CSV is read strictly instead.
    """
    try:
        return parse_date(value, field_name)
    except RecordError:
        return None


def _parse_date_text(s: str) -> dt.date:
    if m := _ISO_DATE.match(s):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY_NUM.match(s):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    if m := _DMY_WORD.match(s):
        return dt.date(int(m[3]), _month(m[2]), int(m[1]))
    if m := _MDY_WORD.match(s):
        return dt.date(int(m[3]), _month(m[1]), int(m[2]))
    raise ValueError(s)


# --- languages ------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: The ISO 639-1 codes.
ISO_639_1: Final = _words(
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht "
    "hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky "
    "la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny "
    "oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss "
    "st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo "
    "za zh zu"
)
_LANGUAGE_NAMES: Final = {
    "german": "de", "deutsch": "de", "deu": "de", "ger": "de", "english": "en", "englisch": "en",
    "eng": "en", "french": "fr", "francais": "fr", "français": "fr", "fra": "fr", "fre": "fr",
    "spanish": "es", "espanol": "es", "español": "es", "spa": "es", "italian": "it",
    "italiano": "it", "ita": "it", "dutch": "nl", "nederlands": "nl", "nld": "nl", "dut": "nl",
    "polish": "pl", "polski": "pl", "pol": "pl", "portuguese": "pt", "portugues": "pt",
    "português": "pt", "por": "pt", "russian": "ru", "rus": "ru", "ukrainian": "uk",
    "ukr": "uk", "turkish": "tr", "tur": "tr", "arabic": "ar", "ara": "ar",
}  # fmt: skip


def language_code(value: Any) -> str | None:
    """The ISO 639-1 code a language value names, or ``None`` if it names none we know.

    Takes BCP 47 tags (``de-DE``, ``de_AT``), three-letter codes and a few names for common
    languages (``German``, ``Deutsch``), schema.org ``Language`` objects (``alternateName`` or
    ``name``) and lists (the first that names a language).
    """
    if isinstance(value, dict):
        return language_code(value.get("alternateName")) or language_code(value.get("name"))
    if isinstance(value, list):
        for item in value:
            code = language_code(item)
            if code:
                return code
        return None
    if not isinstance(value, str):
        return None
    s = value.strip().casefold()
    primary = re.split(r"[-_]", s, maxsplit=1)[0]
    if primary in ISO_639_1:
        return primary
    return _LANGUAGE_NAMES.get(s) or _LANGUAGE_NAMES.get(primary)


_DE_WORDS: Final = _words(
    "der die das den dem des und ist sind nicht ein eine einen einem einer mit auf für von zu "
    "sich im auch wird werden wurde wurden hat haben dass bei nach aus wie oder über nur noch "
    "zum zur kein keine sein seine ihre ihr wir sie er es vom beim durch gegen ohne soll sollen "
    "kann können habe jetzt"
)
_EN_WORDS: Final = _words(
    "a the and is are was were of to that it for on with as by this from have has not be at who "
    "will would his her their they he she we you an or but its been being which what shows "
    "said says into after about than"
)
_WORD: Final = re.compile(r"[^\W\d_]+")
_GERMAN_LETTERS: Final = "äöüß"


def guess_language(*texts: str | None) -> str | None:
    """``de`` or ``en`` by counting common function words, or ``None`` when unsure.

    A light heuristic, not a language identifier: it only tells German from English (the
    languages of our users' fact-checkers), counts words like *der/und/nicht* against
    *the/and/not* (umlauts and ß count for German), and decides only with at least two hits
    and twice as many as the other language. Anything else, including short or mixed texts and
    other languages, gives ``None``.
    """
    de = en = 0
    for text in texts:
        if not text:
            continue
        sample = text[:2000].casefold()
        de += sum(sample.count(c) for c in _GERMAN_LETTERS)
        for word in _WORD.findall(sample):
            if word in _DE_WORDS:
                de += 1
            elif word in _EN_WORDS:
                en += 1
    if de >= 2 and de >= 2 * en:
        return "de"
    if en >= 2 and en >= 2 * de:
        return "en"
    return None
