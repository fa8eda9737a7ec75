"""A run killed with SIGKILL at any moment leaves the store readable; a rerun completes it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from lagebild.store import PostStore

N_POSTS = 30_000


def _write_input(path: Path) -> None:
    rng = random.Random(5)
    with path.open("w") as fh:
        for i in range(N_POSTS):
            fh.write(
                json.dumps(
                    {
                        "platform": "twitter",
                        "post_id": str(i),
                        "account_id": f"u{rng.randrange(500)}",
                        "created_at": 1_600_000_000 + i,
                        "text": f"Post {i} #wahl https://example.com/{rng.randrange(100)}",
                    }
                )
                + "\n"
            )
            if i % 997 == 0:
                fh.write("{broken json line\n")


def _ingest(data: Path, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lagebild",
            "--data-dir",
            str(data),
            "ingest",
            str(path),
            "--batch-size",
            "700",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_during_ingest_then_rerun(tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    _write_input(src)
    data = tmp_path / "data"
    store = PostStore(data)
    broken = N_POSTS // 997 + 1
    seen_counts = []
    for wanted_parts in (2, 9, 20):
        proc = _ingest(data, src)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if len(store.parts("posts")) >= wanted_parts:
                break
            time.sleep(0.01)
        assert proc.poll() is None, f"ingest ended before it was killed (exit {proc.returncode})"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
        # The store stays readable and holds no duplicate keys after every kill.
        n, distinct = (
            store.query("SELECT count(*), count(DISTINCT post_id) FROM posts")
            .to_pylist()[0]
            .values()
        )
        assert n == distinct
        seen_counts.append(n)
    assert seen_counts == sorted(seen_counts)
    assert seen_counts[-1] < N_POSTS
    final = _ingest(data, src)
    out, _ = final.communicate(timeout=300)
    assert final.returncode == 0
    report = json.loads(out)
    assert report["read"] == N_POSTS + broken
    assert report["stored"] + report["duplicates"] == N_POSTS
    assert report["duplicates"] >= seen_counts[-1]
    row = store.query("SELECT count(*) AS n, count(DISTINCT post_id) AS d FROM posts").to_pylist()
    assert row == [{"n": N_POSTS, "d": N_POSTS}]
    quarantined = store.query("SELECT count(*) AS n FROM quarantine").to_pylist()
    assert quarantined == [{"n": broken}]
    assert not [p for p in (data / "posts").iterdir() if p.name.startswith(".tmp-")]
