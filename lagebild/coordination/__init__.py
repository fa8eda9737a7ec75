"""Coordinated behaviour: accounts that act on the same object within seconds of each other."""

from lagebild.coordination.coortweet import (
    KINDS,
    CoordinationParams,
    CoordinationResult,
    detect_coortweet,
)

__all__ = ["KINDS", "CoordinationParams", "CoordinationResult", "detect_coortweet"]
