"""The catalogue of account signals: what each one measures, in which unit, and why it matters.

Every signal :func:`lagebild.accounts.signals.account_signals` computes is declared here once,
in the order of its output columns. The CLI, the profile and ``docs/accounts.md`` read their
explanations from this list, and a test checks that the list and the computed columns match.
No signal is proof of inauthenticity on its own: each is a hint a person weighs, which is why
they are reported side by side and never folded into one score.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SIGNALS", "Signal", "signal"]

_BOTOMETER = (
    "Varol et al., Online Human-Bot Interactions: Detection, Estimation, and Characterization, "
    "ICWSM 2017 (Botometer features)"
)
_DFRLAB = "DFRLab, #BotSpot: Twelve Ways to Spot a Bot (2017)"


@dataclass(frozen=True)
class Signal:
    """One signal: its column name, unit, meaning, why it matters and when it is missing."""

    name: str
    unit: str
    meaning: str
    why: str
    missing: str
    citation: str = ""


SIGNALS: tuple[Signal, ...] = (
    Signal(
        "account_age_days",
        "days",
        "Median age of the account when it posted (post time minus account creation).",
        "Operations often post from freshly created accounts; young accounts posting heavily "
        "around an event are a classic hint.",
        "the data carries no account creation date",
        _BOTOMETER,
    ),
    Signal(
        "posts_per_active_day",
        "posts/day",
        "Posts per day on which the account posted at all.",
        "Dozens to hundreds of posts a day are hard to sustain by hand.",
        "the account has no posts in the store",
        _DFRLAB,
    ),
    Signal(
        "posts_per_day",
        "posts/day",
        "Posts per day over the account's span from first to last post (at least one day).",
        "A high overall rate means sustained activity, not one busy day.",
        "the account has no posts in the store",
        _DFRLAB,
    ),
    Signal(
        "interval_cv",
        "ratio",
        "Coefficient of variation (std / mean) of the seconds between consecutive posts.",
        "Near 0: clockwork posting (scheduler); far above 1: bursts. People are in between.",
        "fewer posts than min_posts_timing, or all posts at the same instant",
        _BOTOMETER,
    ),
    Signal(
        "same_second_share",
        "share",
        "Share of posts at the account's most common second of the minute.",
        "A scheduler firing at :00 seconds puts most posts on one second; by chance about 1/60.",
        "fewer posts than min_posts_timing, or the source has minute precision only",
    ),
    Signal(
        "same_minute_share",
        "share",
        "Share of posts at the account's most common minute of the hour.",
        "Posts at the same minute every hour hint at a schedule; by chance about 1/60.",
        "fewer posts than min_posts_timing",
    ),
    Signal(
        "repost_share",
        "share",
        "Share of the account's posts that are reposts (retweets, boosts, forwards).",
        "Amplifier accounts mostly repost, rarely writing anything of their own.",
        "the source does not say which posts are reposts",
        _DFRLAB,
    ),
    Signal(
        "reply_share",
        "share",
        "Share of the account's posts that are replies.",
        "Broadcast accounts rarely reply; reply-guys and harassment accounts mostly do.",
        "the source does not say which posts are replies",
        _BOTOMETER,
    ),
    Signal(
        "handle_trailing_digits",
        "digits",
        "Length of the run of digits at the end of the handle.",
        "Mass-created accounts keep the digits a platform suggests (Name12345678).",
        "no handle is known",
        _DFRLAB,
    ),
    Signal(
        "handle_digit_share",
        "share",
        "Share of the handle's characters that are digits.",
        "Generated handles carry many digits.",
        "no handle is known",
        _BOTOMETER,
    ),
    Signal(
        "handle_entropy",
        "bits/char",
        "Shannon entropy of the handle's characters (lower-cased).",
        "Random strings have high entropy; names and words have lower.",
        "no handle is known",
        _BOTOMETER,
    ),
    Signal(
        "handle_no_vowels",
        "yes/no",
        "The handle has at least 4 Latin letters and none of them a vowel (a e i o u y).",
        "Keyboard mashing and random strings rarely contain vowels; names do.",
        "no handle is known",
    ),
    Signal(
        "handle_default_pattern",
        "yes/no",
        "The handle is letters followed by exactly 8 digits (Name12345678).",
        "X/Twitter suggests such handles at sign-up; operators creating accounts in bulk "
        "keep them.",
        "no handle is known",
        _DFRLAB,
    ),
    Signal(
        "default_profile",
        "yes/no",
        "The latest profile has neither a display name nor a description.",
        "Accounts made in bulk are often left without a name or bio.",
        "the source carries no profile names or descriptions",
        _BOTOMETER,
    ),
    Signal(
        "follower_ratio",
        "ratio",
        "Followers divided by accounts followed (latest known counts).",
        "Follow-back farming gives ratios near 1 with many followed; broadcasters far above 1.",
        "follower or following counts are missing, or it follows no one",
        _BOTOMETER,
    ),
    Signal(
        "follower_growth_per_day",
        "followers/day",
        "Change of the follower count per day between the first and last snapshot.",
        "Bought or coordinated followers arrive in jumps.",
        "fewer than two snapshots with follower counts at least a day apart",
        _BOTOMETER,
    ),
    Signal(
        "night_share",
        "share",
        "Share of posts made at night (night_hours, local time) in the account's claimed region.",
        "An account claiming to be in Ohio but posting on St Petersburg office hours posts "
        "at Ohio's night.",
        "no claimed region, a region not in the timezone table, or too few posts",
    ),
    Signal(
        "coordinated_communities",
        "communities",
        "Number of coordinated communities (coordination findings) the account belongs to.",
        "Membership in a network that shared the same content within seconds is direct "
        "evidence of coordination.",
        "the store holds no coordination findings (run lagebild coordination)",
        "Giglietto et al., It takes a village to manipulate the media, ICS 2020 (CooRnet)",
    ),
    Signal(
        "community_min_q",
        "q-value",
        "Smallest q-value (false discovery rate) of those communities.",
        "Low q: the community's coordination is unlikely under the null model.",
        "not in a community, or the detector ran without a null model (--null-runs)",
    ),
    Signal(
        "community_min_p",
        "p-value",
        "Smallest p-value of those communities.",
        "Low p: the community's coordination is unlikely under the null model.",
        "not in a community, or the detector ran without a null model (--null-runs)",
    ),
    Signal(
        "state_media_share",
        "share",
        "Share of the account's posts that carry state-controlled media (link or copied text).",
        "Accounts of influence operations amplify their state's outlets and their mirrors.",
        "the account has no posts in the store",
        "EU Council Regulation 2022/350; US State Dept GEC, Pillars of Russia's "
        "Disinformation and Propaganda Ecosystem (2020)",
    ),
)

_BY_NAME = {s.name: s for s in SIGNALS}


def signal(name: str) -> Signal:
    """The signal of this name (KeyError when there is none)."""
    return _BY_NAME[name]
