"""Handle patterns: digits, randomness and the platform's default handle, in Python and SQL.

The Python functions are the reference for one handle (and what the tests check); the SQL
expressions compute the same values over all accounts at once inside DuckDB. Both look at the
handle's *local part*: without a leading ``@``, before an ``@instance`` (Mastodon) and before
the first dot (Bluesky's domain handles: ``alice42.bsky.social`` -> ``alice42``).

Hints, not proof: many real people keep the handle a platform suggested.
"""

from __future__ import annotations

import math
import re
from collections import Counter

__all__ = [
    "DEFAULT_HANDLE",
    "digit_share",
    "entropy",
    "handle_sql",
    "is_default_pattern",
    "local_part",
    "no_vowels",
    "trailing_digits",
]

#: Letters followed by exactly eight digits: the handle X/Twitter suggests at sign-up.
DEFAULT_HANDLE = r"^[A-Za-z][A-Za-z_]*[0-9]{8}$"
_VOWELS = frozenset("aeiouy")
_LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")
#: Fewest Latin letters a handle needs before "no vowels" means anything.
MIN_LETTERS = 4


def local_part(handle: str) -> str:
    """The part of a handle the patterns look at (no ``@``, no instance, no domain)."""
    return handle.lstrip("@").split("@", 1)[0].split(".", 1)[0]


def trailing_digits(handle: str) -> int:
    """Length of the run of ASCII digits at the end of the handle."""
    m = re.search(r"[0-9]+\Z", local_part(handle))
    return len(m.group(0)) if m else 0


def digit_share(handle: str) -> float | None:
    """Share of the handle's characters that are ASCII digits (None for an empty handle)."""
    s = local_part(handle)
    return sum(c in "0123456789" for c in s) / len(s) if s else None


def entropy(handle: str) -> float | None:
    """Shannon entropy in bits per character of the lower-cased handle (None when empty)."""
    s = local_part(handle).lower()
    if not s:
        return None
    n = len(s)
    return -sum(k / n * math.log2(k / n) for k in Counter(s).values()) + 0.0


def no_vowels(handle: str) -> bool | None:
    """True when the handle has at least 4 Latin letters and none is a vowel (None: empty)."""
    s = local_part(handle).lower()
    if not s:
        return None
    letters = [c for c in s if c in _LATIN]
    return len(letters) >= MIN_LETTERS and not any(c in _VOWELS for c in letters)


def is_default_pattern(handle: str) -> bool | None:
    """True for letters followed by exactly eight digits (``Name12345678``; None: empty)."""
    s = local_part(handle)
    return bool(re.fullmatch(DEFAULT_HANDLE, s)) if s else None


def handle_sql(column: str) -> dict[str, str]:
    """SQL expressions (DuckDB) of the handle signals over a handle column, by signal name.

    They return the same values as the Python functions above; NULL for a NULL or empty handle.
    """
    lp = f"nullif(split_part(split_part(ltrim({column}, '@'), '@', 1), '.', 1), '')"
    low = f"lower({lp})"
    chars = f"string_split({low}, '')"
    letters = f"regexp_replace({low}, '[^a-z]', '', 'g')"
    return {
        "handle_trailing_digits": f"length(regexp_extract({lp}, '[0-9]+$'))",
        "handle_digit_share": f"length(regexp_replace({lp}, '[^0-9]', '', 'g')) / length({lp})",
        "handle_entropy": (
            f"0.0 - list_sum(list_transform(list_distinct({chars}), lambda c: "
            f"len(list_filter({chars}, lambda x: x = c)) / length({low}) * "
            f"log2(len(list_filter({chars}, lambda x: x = c)) / length({low}))))"
        ),
        "handle_no_vowels": (
            f"CASE WHEN {lp} IS NULL THEN NULL ELSE length({letters}) >= {MIN_LETTERS} "
            f"AND NOT regexp_matches({letters}, '[aeiouy]') END"
        ),
        "handle_default_pattern": f"regexp_full_match({lp}, '{DEFAULT_HANDLE[1:-1]}')",
    }
