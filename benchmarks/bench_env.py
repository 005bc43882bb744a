"""What every benchmark sets up before it imports the project: models load offline, no telemetry,
and the repository root on sys.path (benchmarks run as `python benchmarks/NAME.py`, which puts
only this folder there). Import it first: `from bench_env import DATA, REPO_ROOT`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT.parent / "shared" / "data"  # the public datasets (../shared/data/README.md)
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
