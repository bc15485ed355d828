"""Named pause points, so the crash tests can kill a refresh at a known moment.

Off unless WAREHOUSE_PAUSE_AT names the point: then the process (or the dbt process, for points
inside dbt models) writes the file WAREHOUSE_PAUSE_MARKER and sleeps until it is killed. Nothing
else changes, so the test kills the real code path, not a stand-in.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT = "WAREHOUSE_PAUSE_AT"
PAUSE_MARKER = "WAREHOUSE_PAUSE_MARKER"

# The points that exist, for the tests and for anyone reading the code.
POINTS = (
    "load:before-commit",  # a partition's rows are inserted, the transaction is still open
    "dbt:clv-fit",  # inside the dbt build: models before it committed, others still to run
    "publish:before-rename",  # the new serving file is written next to the old one, not renamed
)


def pause_point(name: str) -> None:
    if name not in POINTS:
        raise ValueError(f"unknown pause point {name!r}")
    if os.environ.get(PAUSE_AT) != name:
        return
    marker = os.environ.get(PAUSE_MARKER)
    if marker:
        Path(marker).write_text(f"{name} {os.getpid()}\n")
    while True:  # until killed
        time.sleep(60)
