"""Reach: views and engagement of a set of posts, who amplified it, and how it grew.

For a selection (a matched false claim, a narrative, a coordinated community, a query):
total and per-platform views, likes, reposts, replies and quotes with the posts that carry
each count (missing is never zero), accounts, first and last seen, peak hour, the part that
came through reposts, the top amplifiers with their follower counts and coordinated
communities, and time series per hour and day. Views estimated from follower counts are
labelled as estimates. See ``docs/reach.md``.
"""

from lagebild.reach.compute import reach
from lagebild.reach.records import (
    ESTIMATE_RULES,
    GRANULARITIES,
    METRICS,
    Amplifier,
    Bucket,
    Estimate,
    Figures,
    Metric,
    Peak,
    ReachParams,
    ReachReport,
    RepostReach,
    Share,
)
from lagebild.reach.selection import (
    SELECTION_KINDS,
    ResolvedSelection,
    Selection,
    resolve_selection,
    select_posts,
)

__all__ = [
    "ESTIMATE_RULES",
    "GRANULARITIES",
    "METRICS",
    "SELECTION_KINDS",
    "Amplifier",
    "Bucket",
    "Estimate",
    "Figures",
    "Metric",
    "Peak",
    "ReachParams",
    "ReachReport",
    "RepostReach",
    "ResolvedSelection",
    "Selection",
    "Share",
    "reach",
    "resolve_selection",
    "select_posts",
]
