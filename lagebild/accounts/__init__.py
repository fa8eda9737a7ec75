"""Accounts: inauthenticity signals per account and state-media attribution.

:func:`account_signals` computes every signal of :data:`SIGNALS` per account, each with its
own value (NULL where the data cannot tell); :func:`account_profile` shows one account with
explanations; :func:`state_media_posts` flags posts that carry the content of state-controlled
outlets from an editable list (:func:`load_media_list`).
"""

from lagebild.accounts.catalog import SIGNALS, Signal
from lagebild.accounts.profile import account_profile, resolve_account, top_accounts
from lagebild.accounts.signals import CONTEXT, AccountParams, account_signals
from lagebild.accounts.statemedia import (
    MediaEntry,
    MediaList,
    load_media_list,
    read_media_csv,
    state_media_posts,
)

__all__ = [
    "CONTEXT",
    "SIGNALS",
    "AccountParams",
    "MediaEntry",
    "MediaList",
    "Signal",
    "account_profile",
    "account_signals",
    "load_media_list",
    "read_media_csv",
    "resolve_account",
    "state_media_posts",
    "top_accounts",
]
