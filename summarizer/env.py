"""The process's surroundings that every model reads: offline switches and thread counts (a leaf).

>>> cpu_count() >= 1 and usable_cores() >= 1
True
"""

from __future__ import annotations

import os


def set_offline() -> None:
    """Turn on the offline switches of huggingface_hub and transformers: nothing that loads a
    local model may reach for the network."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def cpu_count() -> int:
    """Threads a runtime may use: ``OMP_NUM_THREADS`` where set (as torch reads it; Ray sets it
    to a worker's share), else the cores this process may run on."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return usable_cores()
