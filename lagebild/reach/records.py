"""The figures of a reach report, and the parameters that shape them.

Every figure says what it rests on. An engagement count is a :class:`Metric`: the sum over
the posts that carry the count, how many do, how many do not; ``total`` is ``None`` (never 0)
when no post carries it. Views estimated from follower counts are an :class:`Estimate`, whose
JSON always says ``"basis": "estimate"`` and the rule used; a top amplifier's reach is marked
``measured`` or ``estimate``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lagebild.errors import ConfigError
from lagebild.reach.selection import ResolvedSelection

__all__ = [
    "ESTIMATE_RULES",
    "GRANULARITIES",
    "METRICS",
    "Amplifier",
    "Bucket",
    "Estimate",
    "Figures",
    "Metric",
    "Peak",
    "ReachParams",
    "ReachReport",
    "RepostReach",
    "Share",
]

#: The engagement counts of a post, as in :data:`lagebild.model.POST_SCHEMA`.
METRICS = ("views", "likes", "reposts", "replies", "quotes")
#: How views are estimated where none were measured.
ESTIMATE_RULES = ("followers", "none")
#: Time-series bucket sizes.
GRANULARITIES = ("hour", "day", "week")


@dataclass(frozen=True)
class ReachParams:
    """What a reach report computes; every value is recorded in the report.

    ``top_n``: amplifiers listed. ``series``: bucket sizes of the time series (any of
    :data:`GRANULARITIES`). ``estimate``: ``followers`` estimates a post's views, where the
    export has none, as its account's followers at posting times ``followers_rate`` (1.0
    counts every follower as one potential view: an audience size, not a measured view
    count; use a lower rate if you know the platform's views-per-follower ratio); ``none``
    leaves such views missing.
    """

    top_n: int = 20
    series: tuple[str, ...] = ("hour", "day")
    estimate: str = "followers"
    followers_rate: float = 1.0

    def check(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid parameter."""
        if self.top_n < 0:
            raise ConfigError(f"top_n must be 0 or more, got {self.top_n}")
        bad = [g for g in self.series if g not in GRANULARITIES]
        if bad:
            raise ConfigError(
                f"unknown series granularity {bad[0]!r}", hint=f"use {', '.join(GRANULARITIES)}"
            )
        if self.estimate not in ESTIMATE_RULES:
            raise ConfigError(
                f"unknown estimate rule {self.estimate!r}",
                hint=f"use {' or '.join(ESTIMATE_RULES)}",
            )
        if not self.followers_rate > 0:
            raise ConfigError(f"followers_rate must be above 0, got {self.followers_rate}")

    def rule(self) -> str:
        """The estimate rule in words, as it appears next to every estimated figure."""
        if self.estimate == "none":
            return "none: views without a measurement stay missing"
        return f"views = followers at posting × {self.followers_rate:g}, where none were measured"

    def as_dict(self) -> dict[str, Any]:
        """The parameters for JSON."""
        return {
            "top_n": self.top_n,
            "series": list(self.series),
            "estimate": self.estimate,
            "followers_rate": self.followers_rate,
        }


@dataclass(frozen=True)
class Metric:
    """One count summed over the posts that carry it (``total`` None when none does)."""

    total: int | None
    carried: int
    missing: int

    def as_dict(self) -> dict[str, Any]:
        """``{"total", "carried", "missing"}``; a missing total is ``null``."""
        return {"total": self.total, "carried": self.carried, "missing": self.missing}


@dataclass(frozen=True)
class Estimate:
    """Views estimated for posts without measured views; always labelled as an estimate.

    ``posts`` were estimated; ``without_basis`` had neither views nor a follower count.
    """

    total: int | None
    posts: int
    without_basis: int
    rule: str

    def as_dict(self) -> dict[str, Any]:
        """The estimate for JSON, with ``basis: estimate`` and its rule."""
        return {
            "total": self.total,
            "basis": "estimate",
            "posts": self.posts,
            "without_basis": self.without_basis,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Figures:
    """The figures of all selected posts (``platform`` None) or of one platform's.

    ``lacks`` names the metrics none of these posts carries (the export has no such count).
    ``engagement`` sums the interaction counts (likes, reposts, replies, quotes) each post
    carries; a post that carries none of them is missing.
    """

    platform: str | None
    posts: int
    originals: int
    reposts: int
    replies: int
    accounts: int
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    metrics: Mapping[str, Metric]
    engagement: Metric
    views_estimate: Estimate

    @property
    def lacks(self) -> tuple[str, ...]:
        """Metrics that no post here carries."""
        return tuple(m for m in METRICS if self.metrics[m].total is None)

    def as_dict(self) -> dict[str, Any]:
        """The figures for JSON."""
        out: dict[str, Any] = {} if self.platform is None else {"platform": self.platform}
        out.update(
            posts=self.posts,
            originals=self.originals,
            reposts=self.reposts,
            replies=self.replies,
            accounts=self.accounts,
            first_seen=_iso(self.first_seen),
            last_seen=_iso(self.last_seen),
            metrics={m: self.metrics[m].as_dict() for m in METRICS},
            lacks=list(self.lacks),
            engagement=self.engagement.as_dict(),
            views_estimate=self.views_estimate.as_dict(),
        )
        return out


@dataclass(frozen=True)
class Share:
    """A quantity on original posts and on reposts, and the reposts' share of the sum.

    ``basis`` is ``measured`` or ``estimate``. A side without posts counts 0; a side whose
    posts all lack the quantity is missing, and then ``share_reposts`` is None (also when
    both sides are 0).
    """

    originals: int | None
    reposts: int | None
    basis: str

    @property
    def share_reposts(self) -> float | None:
        """reposts / (originals + reposts), or None."""
        if self.originals is None or self.reposts is None:
            return None
        whole = self.originals + self.reposts
        return self.reposts / whole if whole else None

    def as_dict(self) -> dict[str, Any]:
        """The share for JSON."""
        return {
            "originals": self.originals,
            "reposts": self.reposts,
            "share_reposts": self.share_reposts,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class RepostReach:
    """How much reach came through reposts.

    ``in_selection``: selected posts that are reposts. ``of_selection``: posts in the store
    that repost a selected post (same platform), of which ``outside_selection`` are not
    themselves selected; they add reach all the same (``outside_accounts`` accounts,
    ``outside_views`` measured, ``outside_views_estimate`` estimated). The shares compare
    original selected posts with all reposts (selected or not) of the set.
    """

    in_selection: int
    of_selection: int
    outside_selection: int
    outside_accounts: int
    outside_views: Metric
    outside_views_estimate: Estimate
    views: Share
    engagement: Share
    views_estimate: Share

    def as_dict(self) -> dict[str, Any]:
        """The repost figures for JSON."""
        return {
            "in_selection": self.in_selection,
            "of_selection": self.of_selection,
            "outside_selection": self.outside_selection,
            "outside_accounts": self.outside_accounts,
            "outside_views": self.outside_views.as_dict(),
            "outside_views_estimate": self.outside_views_estimate.as_dict(),
            "views": self.views.as_dict(),
            "engagement": self.engagement.as_dict(),
            "views_estimate": self.views_estimate.as_dict(),
        }


@dataclass(frozen=True)
class Amplifier:
    """One account and the reach it added to the selection.

    ``reach`` = measured views of its selected posts and of its reposts of selected posts,
    plus, for those without views, the estimate (see :class:`ReachParams`); ``basis`` is
    ``estimate`` as soon as any part of it is estimated (``missing`` when there is nothing to
    count). ``followers`` is the follower count
    at its first such post. ``communities`` are the ``coordination_community`` findings that
    include the account.
    """

    platform: str
    account_id: str
    handle: str | None
    followers: int | None
    posts: int
    reposts_outside: int
    first_post: dt.datetime
    reach: int | None
    basis: str
    views_measured: int | None
    views_estimate: int | None
    engagement: int | None
    communities: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The amplifier for JSON."""
        return {
            "platform": self.platform,
            "account_id": self.account_id,
            "handle": self.handle,
            "followers": self.followers,
            "posts": self.posts,
            "reposts_outside": self.reposts_outside,
            "first_post": _iso(self.first_post),
            "reach": self.reach,
            "basis": self.basis,
            "views_measured": self.views_measured,
            "views_estimate": self.views_estimate,
            "engagement": self.engagement,
            "communities": list(self.communities),
        }


@dataclass(frozen=True)
class Bucket:
    """One step of a time series; ``views_estimate`` is an estimate, the rest measured."""

    start: dt.datetime
    posts: int
    accounts: int
    views: int | None
    engagement: int | None
    views_estimate: int | None

    def as_dict(self) -> dict[str, Any]:
        """The bucket for JSON."""
        return {
            "start": _iso(self.start),
            "posts": self.posts,
            "accounts": self.accounts,
            "views": self.views,
            "engagement": self.engagement,
            "views_estimate": self.views_estimate,
        }


@dataclass(frozen=True)
class Peak:
    """The hour with the most posts (or views) and its figure."""

    hour: dt.datetime
    value: int

    def as_dict(self) -> dict[str, Any]:
        """The peak for JSON."""
        return {"hour": _iso(self.hour), "value": self.value}


@dataclass(frozen=True)
class ReachReport:
    """Reach of one selection: totals, per platform, reposts, amplifiers, time series."""

    selection: ResolvedSelection
    params: ReachParams
    totals: Figures
    platforms: tuple[Figures, ...]
    peak_hour_posts: Peak | None
    peak_hour_views: Peak | None
    reposts: RepostReach
    amplifiers: tuple[Amplifier, ...]
    amplifier_accounts: int
    coordinated_amplifiers: int
    series: Mapping[str, tuple[Bucket, ...]]
    notes: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def empty(self) -> bool:
        """True when the selection holds no stored post."""
        return self.totals.posts == 0

    def as_dict(self) -> dict[str, Any]:
        """The whole report as one JSON-able document."""
        return {
            "selection": self.selection.as_dict(),
            "empty": self.empty,
            "params": self.params.as_dict(),
            "estimate_rule": self.params.rule(),
            "totals": self.totals.as_dict(),
            "platforms": [p.as_dict() for p in self.platforms],
            "peak_hour": {
                "by_posts": None
                if self.peak_hour_posts is None
                else self.peak_hour_posts.as_dict(),
                "by_views": None
                if self.peak_hour_views is None
                else self.peak_hour_views.as_dict(),
            },
            "reposts": self.reposts.as_dict(),
            "amplifiers": {
                "accounts": self.amplifier_accounts,
                "in_coordinated_communities": self.coordinated_amplifiers,
                "top": [a.as_dict() for a in self.amplifiers],
            },
            "series": {g: [b.as_dict() for b in s] for g, s in self.series.items()},
            "notes": list(self.notes),
            "seconds": round(self.seconds, 3),
        }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")
