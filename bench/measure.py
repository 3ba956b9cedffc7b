"""What the benchmarks measure besides time: the peak memory of one run of a job."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable


def peak_memory(job: Callable[[], object]) -> float:
    """The most memory Python held at once while `job` ran (tracemalloc), in MB."""
    tracemalloc.start()
    try:
        job()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
