"""A narrative model: what was clustered, the narratives found, and how new posts are assigned.

A model lives in ``<data_dir>/narratives/<model_id>/``:

* ``model.json`` — parameters, the narratives (id, size, label terms, representative texts),
  the assignment threshold and the agreement it gave on held-out texts;
* ``terms.parquet`` — each narrative's signature: its most distinctive terms (class-based
  TF-IDF) with L2-normalised weights, used to assign posts that were not clustered;
* ``idf.parquet`` — inverse document frequency of every term of the clustered sample;
* ``centroids.npy`` — each narrative's mean sentence embedding (unit length);
* ``sample.parquet`` — the clustered texts (``text_key``), their narrative (null: noise) and
  cosine similarity to its centroid.

``<data_dir>/narratives/current`` names the model that ``lagebild narratives`` shows and
extends. Post assignments are in the store's ``narrative_posts`` table; posts a model looked
at and left unassigned are logged in the model folder (``seen/``) so they are not scored again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lagebild.errors import NotFoundError

__all__ = [
    "Narrative",
    "NarrativeModel",
    "NarrativeParams",
    "current_model_id",
    "load_model",
    "model_folder",
    "save_model",
]


@dataclass(frozen=True)
class NarrativeParams:
    """Every knob of narrative detection, with its default.

    ``sample_size`` distinct texts (after removing retweets' prefixes, links and mentions, and
    de-duplicating) are embedded and clustered; the rest are assigned lexically. A text needs
    ``min_words`` words to be clustered. The similarity graph links each text to its
    ``neighbours`` nearest texts whose cosine similarity is at least ``min_similarity``;
    Leiden (seeded with ``seed``, ``resolution`` of the RB-configuration model) finds the
    communities, and one with at least ``min_size`` texts is a narrative. ``label_terms`` terms
    label a narrative; ``signature_terms`` terms are its signature for assignment.
    ``holdout`` of the clustered texts are kept out of the signatures to calibrate the
    assignment threshold.
    """

    encoder: str = "use"
    sample_size: int = 20_000
    min_words: int = 4
    neighbours: int = 15
    min_similarity: float = 0.5
    resolution: float = 1.0
    min_size: int = 10
    label_terms: int = 8
    signature_terms: int = 60
    holdout: float = 0.2
    seed: int = 0
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able parameters (recorded in the model and in every finding)."""
        out = asdict(self)
        out["since"] = self.since.isoformat() if self.since else None
        out["until"] = self.until.isoformat() if self.until else None
        return out


@dataclass(frozen=True)
class Narrative:
    """One narrative as found when the model was built."""

    id: str
    size: int
    terms: tuple[str, ...]
    examples: tuple[dict[str, Any], ...]

    @property
    def label(self) -> str:
        """A short human label: the first few distinctive terms."""
        return " · ".join(self.terms[:5])


@dataclass
class NarrativeModel:
    """A built model: narratives, signatures for lexical assignment, embedding centroids."""

    id: str
    params: NarrativeParams
    created_at: dt.datetime
    narratives: list[Narrative]
    threshold: float
    calibration: dict[str, Any]
    signatures: pa.Table  # narrative_id, term, weight
    idf: pa.Table  # term, idf
    centroids: np.ndarray
    sample: pa.Table  # text_key, narrative_id (null: noise), similarity
    stats: dict[str, Any] = field(default_factory=dict)

    def narrative(self, narrative_id: str) -> Narrative:
        """The narrative with this id (NotFoundError names the known ones)."""
        for n in self.narratives:
            if n.id == narrative_id:
                return n
        raise NotFoundError(
            f"no narrative {narrative_id!r} in model {self.id}",
            hint="`lagebild narratives` lists the narrative ids",
        )


def model_folder(data_dir: Path, model_id: str) -> Path:
    """The folder of one model."""
    return Path(data_dir) / "narratives" / model_id


def current_model_id(data_dir: Path) -> str | None:
    """The id of the current model, or None when no model was built yet."""
    pointer = Path(data_dir) / "narratives" / "current"
    if not pointer.exists():
        return None
    return pointer.read_text().strip() or None


def save_model(data_dir: Path, model: NarrativeModel) -> Path:
    """Write the model's files, then make it current (the pointer is replaced atomically)."""
    folder = model_folder(data_dir, model.id)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "id": model.id,
        "created_at": model.created_at.isoformat(),
        "params": model.params.as_dict(),
        "threshold": model.threshold,
        "calibration": model.calibration,
        "stats": model.stats,
        "narratives": [asdict(n) for n in model.narratives],
    }
    pq.write_table(model.signatures, folder / "terms.parquet")
    pq.write_table(model.idf, folder / "idf.parquet")
    np.save(folder / "centroids.npy", model.centroids)
    pq.write_table(model.sample, folder / "sample.parquet")
    tmp = folder / "model.json.tmp"
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2, default=str))
    os.replace(tmp, folder / "model.json")
    pointer = Path(data_dir) / "narratives" / "current"
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(model.id + "\n")
    os.replace(tmp, pointer)
    return folder


def load_model(data_dir: Path, model_id: str | None = None) -> NarrativeModel:
    """The model ``model_id`` (default: the current one)."""
    model_id = model_id or current_model_id(data_dir)
    if model_id is None:
        raise NotFoundError(
            "no narratives have been built in this store yet",
            hint="run `lagebild narratives` (it builds them on first use)",
        )
    folder = model_folder(data_dir, model_id)
    if not (folder / "model.json").exists():
        raise NotFoundError(f"narrative model {model_id!r} not found in {folder.parent}")
    meta = json.loads((folder / "model.json").read_text())
    raw = dict(meta["params"])
    for key in ("since", "until"):
        raw[key] = dt.datetime.fromisoformat(raw[key]) if raw[key] else None
    return NarrativeModel(
        id=meta["id"],
        params=NarrativeParams(**raw),
        created_at=dt.datetime.fromisoformat(meta["created_at"]),
        narratives=[
            Narrative(n["id"], n["size"], tuple(n["terms"]), tuple(n["examples"]))
            for n in meta["narratives"]
        ],
        threshold=meta["threshold"],
        calibration=meta["calibration"],
        signatures=pq.read_table(folder / "terms.parquet"),
        idf=pq.read_table(folder / "idf.parquet"),
        centroids=np.load(folder / "centroids.npy"),
        sample=pq.read_table(folder / "sample.parquet"),
        stats=meta.get("stats", {}),
    )
