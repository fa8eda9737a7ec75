"""The ingestion rules of ``base.py`` and ``text.py`` written as DuckDB SQL, for columnar paths.

Each helper returns SQL text. Where the SQL cannot be sure it agrees with Python (a time in an
unusual shape, a count that is not plain digits), a helper also returns a condition; a row for
which any condition is false is handed to the Python reader instead (see
:mod:`lagebild.ingest.columnar`). RE2 has no look-behind, so "not preceded by" is written as
"start of text, or one character that is not ...".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from lagebild.store.sql import quote

__all__ = [
    "PY_WHITESPACE",
    "WHITESPACE",
    "all_stripped",
    "entity_sql",
    "ident",
    "list_cell",
    "lower_sure",
    "plausible",
    "py_strip",
    "quote",
    "stripped",
    "time_sql",
    "uniq",
]

# Python's str.strip() whitespace, for "is this value already stripped?"
# (RE2's \s lacks the vertical tab \x0b that Python strips)
WHITESPACE = r"[\s\x{0b}\p{Z}\x{1c}-\x{1f}\x{85}]"
_WS_OR_QUOTE = WHITESPACE[:-1] + "'\"]"
#: the characters Python's ``str.strip()`` removes (``str.isspace``)
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
# white space beside a \x01 separator (see all_stripped)
_EDGE_SPACE = rf"\x01{WHITESPACE}|{WHITESPACE}\x01"
_ISO = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?"
# without zone or in UTC: a cast to TIMESTAMP reads these exactly (it drops the zone)
_ISO_UTC = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]00:00)?)?"
_W = r"[\p{L}\p{N}_]"
# a hashtag is the whole word-character run after "#", unless it is only digits/underscores.
# The patterns have no capture group: RE2 finds whole matches with its fast DFA, while a
# group needs its far slower NFA (3x the time on Unicode classes); the one-character prefix
# is cut off afterwards.
_HASHTAG = rf"(?:^|[^\p{{L}}\p{{N}}_&/#])[#＃]{_W}+"
_NOT_A_TAG = r"[\p{Nd}_]+"
# ``\w{1,64}`` as in Python would make RE2 give up its DFA (a counted repetition of a
# Unicode class: 60 times slower on texts with mentions); a longer handle is cut afterwards
_MENTION = rf"(?:^|[^\p{{L}}\p{{N}}_@/.])@{_W}+(?:@[\p{{L}}\p{{N}}_.-]+\.{_W}+)?"
# Python's white space (PY_WHITESPACE) as the body of a regular-expression class
_PY_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE)
_URL = rf"(?i)(?:https?://|www\.)[^{_PY_SPACE}<>\"'«»“”]+"
# list cells "[a, b]" or "a, b" whose items need no trim (see list_cell): every item starts
# and ends with a character that is no comma, white space or quote, items are separated by
# "," or ", ", and an unbracketed list has no "["
_EDGE_OK = "[^," + _WS_OR_QUOTE[1:]
_ITEM = f"(?:{_EDGE_OK}|{_EDGE_OK}[^,]*{_EDGE_OK})"
_CLEAN_BRACKETED = rf"\[(?:{_ITEM}(?:, ?{_ITEM})*)?\]"
_EDGE_OK_PLAIN = "[^,[" + _WS_OR_QUOTE[1:]
_ITEM_PLAIN = f"(?:{_EDGE_OK_PLAIN}|{_EDGE_OK_PLAIN}[^,[]*{_EDGE_OK_PLAIN})"
_CLEAN_PLAIN = f"{_ITEM_PLAIN}(?:, ?{_ITEM_PLAIN})*"
_URL_TRAIL = ".,;:!?)]}>…'\""


def ident(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lower_sure(value: str) -> str:
    """DuckDB's ``lower`` of ``value`` equals Python's ``str.lower``.

    Python lowers "İ" to two characters and a final "Σ" to "ς"; DuckDB does neither.
    """
    return f"({value} IS NULL OR NOT (contains({value}, 'İ') OR contains({value}, 'Σ')))"


def uniq(column: str) -> str:
    """Order-preserving de-duplication of a list, without empty strings (``text.unique``)."""
    return (
        f"list_filter({column}, lambda x, i: x IS NOT NULL AND x <> '' "
        f"AND list_position({column}, x) = i)"
    )


def stripped(value: str) -> str:
    """``value`` has no leading or trailing whitespace (as Python's ``str.strip`` sees it)."""
    # two anchored patterns: RE2 matches "...$" backwards from the end, while "^a|b$" would
    # scan the whole value
    return (
        f"(NOT (regexp_matches({value}, {quote('^' + WHITESPACE)}) "
        f"OR regexp_matches({value}, {quote(WHITESPACE + '$')})))"
    )


def all_stripped(values: list[str], absent: Sequence[str] = ()) -> str:
    """None of ``values`` has leading or trailing white space (NULLs pass), nor is one of the
    ASCII words ``absent`` in any case.

    One scan of the values joined by ``\\x01`` instead of two patterns per value: a value's
    edges are exactly the characters beside a separator (a ``\\x01`` inside a value can only
    make the check fail, which sends the row to Python). RE2's case folding matches a few
    more spellings than Python's ``lower`` (``ſ`` for ``s``), which sends a row to Python too.
    """
    if not values:
        return "true"
    pattern = _EDGE_SPACE
    if absent:
        words = "|".join(re.escape(w) for w in absent if w)
        pattern += f"|(?i:\\x01(?:{words}){'?' if '' in absent else ''}\\x01)"
    joined = f"concat_ws(chr(1), '', {', '.join(values)}, '')"
    return f"NOT regexp_matches({joined}, {quote(pattern)})"


def time_sql(
    value: str, time_format: str | None = None, once: Callable[[str], str] | None = None
) -> tuple[str, str]:
    """A parsed time (``base.parse_time``) as a UTC ``TIMESTAMP`` without zone, and the
    condition that the parse is certain.

    Without a zone DuckDB keeps clear of ICU, which costs five times as much per value (a
    cast to ``TIMESTAMPTZ``, ``year`` of one); Arrow then reads the values as UTC.
    ``once`` names an expression computed once per row (the time is used by both).
    """
    if time_format:
        # a parsed zone (%z) is turned into UTC by the cast (the connection's zone is UTC)
        ts = f"try_strptime({value}, {quote(time_format)})::TIMESTAMP"
        sure = f"(strftime({ts}, {quote(time_format)}) = {value})"
    else:
        naive = f"regexp_full_match({value}, {quote(_ISO_UTC)})"
        iso = f"regexp_full_match({value}, {quote(_ISO)})"
        epoch = f"regexp_full_match({value}, '\\d{{9,10}}')"
        epoch_ms = f"regexp_full_match({value}, '\\d{{12,13}}')"
        ts = (
            f"CASE WHEN {naive} THEN try_cast({value} AS TIMESTAMP) "
            f"WHEN {iso} THEN timezone('UTC', try_cast({value} AS TIMESTAMPTZ)) "
            f"WHEN {epoch} THEN make_timestamp(try_cast({value} AS BIGINT) * 1000000) "
            f"WHEN {epoch_ms} THEN timezone('UTC', "
            f"to_timestamp(try_cast({value} AS BIGINT) / 1000.0)) END"
        )
        sure = "true"
    if once is not None:
        ts = once(ts)
    return ts, f"({sure} AND {plausible(ts)})"


def plausible(ts: str) -> str:
    """``ts`` (a UTC ``TIMESTAMP``) lies from 1990 to before 2100, as ``parse_time`` wants;
    NULL when ``ts`` is."""
    return f"({ts} >= TIMESTAMP '1990-01-01' AND {ts} < TIMESTAMP '2100-01-01')"


def py_strip(value: str, chars: str = PY_WHITESPACE) -> str:
    """``value.strip(chars)`` as Python does it (without ``chars``: its white space)."""
    return f"trim({value}, {quote(chars)})"


def list_cell(text: str) -> str:
    """The items of a list written into one cell (``tabular.list_field``)."""
    item = f"{py_strip(py_strip(py_strip('x'), chars=chr(39) + chr(34)))}"
    # the common shapes, "[a, b]" and "a, b" with no white space or quote at an item's edges,
    # are one full match: no lambda, no trim
    stripped = py_strip(text)

    def split(items: str) -> str:
        return (
            f"CASE WHEN contains({items}, ',') THEN "
            f"string_split(replace({items}, ', ', ','), ',') ELSE [{items}] END"
        )

    return (
        f"CASE WHEN {text} IS NULL THEN [] "
        f"WHEN regexp_full_match({text}, {quote(_CLEAN_BRACKETED)}) "
        f"THEN CASE WHEN {text} = '[]' THEN [] ELSE {split(f'({text})[2:-2]')} END "
        f"WHEN regexp_full_match({text}, {quote(_CLEAN_PLAIN)}) THEN {split(text)} ELSE "
        f"coalesce(list_filter(list_transform(string_split(CASE WHEN {stripped} LIKE '[%]' "
        f"THEN ({stripped})[2:-2] ELSE {stripped} END, ','), "
        f"lambda x: {item}), lambda x: x <> ''), []) END"
    )


def entity_sql(text: str) -> tuple[str, str, str]:
    """Links, hashtags and mentions found in a text (``text.urls_from_text`` and friends)."""
    trim = quote(_URL_TRAIL)
    cut = f"rtrim(m, {trim})"
    urls = (
        f"CASE WHEN contains({text}, 'http') OR contains({text}, 'www.') OR "
        f"contains({text}, 'HTTP') THEN list_transform(regexp_extract_all({text}, "
        f"{quote(_URL)}), lambda m: CASE WHEN m[length({cut}) + 1] = ')' AND "
        f"length({cut}) - length(replace({cut}, '(', '')) > "
        f"length({cut}) - length(replace({cut}, ')', '')) THEN {cut} || ')' "
        f"ELSE {cut} END) ELSE [] END"
    )
    # the tag follows the match's last "#" (the prefix character may itself be "＃")
    tag = "split_part(replace(m, '＃', '#'), '#', -1)"
    tags = (
        f"CASE WHEN contains({text}, '#') OR contains({text}, '＃') THEN list_transform("
        f"list_filter(list_transform(regexp_extract_all({text}, {quote(_HASHTAG)}), "
        f"lambda m: {tag}), lambda t: NOT regexp_full_match(t, {quote(_NOT_A_TAG)})), "
        "lambda t: lower(t)) ELSE [] END"
    )
    # the mention follows the match's first "@" (the prefix character is never "@"). Python
    # takes at most 64 handle characters, and then no "@instance" part (the 65th is a word
    # character, not "@"): a longer handle is cut to its first 64
    handle = "split_part(m, '@', 1)"
    mentions = (
        f"CASE WHEN contains({text}, '@') THEN list_transform(list_transform("
        f"regexp_extract_all({text}, {quote(_MENTION)}), "
        "lambda m: substr(m, strpos(m, '@') + 1)), "
        f"lambda m: lower(CASE WHEN strlen(m) <= 64 OR length({handle}) <= 64 THEN m "
        f"ELSE left({handle}, 64) END)) ELSE [] END"
    )
    return urls, tags, mentions
