"""The team's decisions on claim matches: ``<data_dir>/match_decisions/`` (latest one wins).

Each decision is a row ``finding_id, platform, post_id, factcheck_id, decision, by, note,
decided_at``. Everything that counts matched posts — the matcher (a rejected pair is never
suggested again), reach, spikes, narratives and the report — leaves out the matches whose
latest decision is ``rejected``, through :func:`rejected_matches_sql`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lagebild.store.parts import list_parts
from lagebild.store.sql import parquet_files

__all__ = ["FOLDER", "decision_parts", "rejected_matches_sql"]

#: The folder of the decisions log in a data directory.
FOLDER = "match_decisions"


def decision_parts(data_dir: Path) -> list[Path]:
    """The committed parts of the decisions log."""
    return list_parts(Path(data_dir) / FOLDER)


def rejected_matches_sql(parts: Sequence[Path]) -> str:
    """SQL of the matches whose latest decision is ``rejected``.

    Columns ``finding_id, platform, post_id, factcheck_id``; no rows when nothing was decided.
    """
    if not parts:
        return (
            "SELECT NULL::VARCHAR AS finding_id, NULL::VARCHAR AS platform, "
            "NULL::VARCHAR AS post_id, NULL::VARCHAR AS factcheck_id WHERE false"
        )
    return (
        "SELECT finding_id, platform, post_id, factcheck_id FROM read_parquet("
        f"{parquet_files(parts)}, union_by_name = true) QUALIFY row_number() OVER "
        "(PARTITION BY finding_id ORDER BY decided_at DESC) = 1 AND decision = 'rejected'"
    )
