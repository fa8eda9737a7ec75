"""Coordinated behaviour: accounts that act on the same object within seconds of each other."""

from lagebild.coordination.detect import (
    KINDS,
    CoordinationParams,
    CoordinationResult,
    detect,
)

__all__ = ["KINDS", "CoordinationParams", "CoordinationResult", "detect"]
