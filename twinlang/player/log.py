"""The event log: JSON Lines, one event per line, flushed as it happens.

The first line is a header naming the log format, the bundle (id and content hash), the
seed and the player.  Every later line is an event with its simulation time `t` (seconds)
and `type`.  Each line is written whole and flushed (and fsync'ed at most every
`sync_every` seconds of wall time), so a crash or a kill loses at most the event being
written; the log up to there stays readable.  Nothing in it depends on the wall clock, so
the same bundle, seed and trace give the same bytes.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import IO

from .._version import __version__

LOG_FORMAT = "twinlang.log/1"


def _clean(value):
    """JSON-safe, deterministic: floats rounded to 9 significant digits, no NaN."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class EventLog:
    """Writes events to a file (or keeps them in memory when no path is given)."""

    def __init__(self, path: str | Path | None, header: dict, *, sync_every: float = 1.0) -> None:
        self.events: list[dict] = []
        self._file: IO[bytes] | None = None
        self._sync_every = sync_every
        self._last_sync = time.monotonic()
        if path is not None:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "wb")  # closed in close()
        head = {"type": "header", "format": LOG_FORMAT,
                "player": {"name": "twinlang", "version": __version__}, **header}
        self._write(head)

    def _write(self, event: dict) -> None:
        line = json.dumps(_clean(event), sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"), allow_nan=False)
        self.events.append(json.loads(line))
        if self._file is not None:
            self._file.write(line.encode("utf-8") + b"\n")
            self._file.flush()
            now = time.monotonic()
            if now - self._last_sync >= self._sync_every:
                os.fsync(self._file.fileno())
                self._last_sync = now

    def emit(self, t: float, type_: str, **fields) -> dict:
        event = {"t": round(t, 6), "type": type_, **fields}
        self._write(event)
        return event

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None


def read_log(path: str | Path) -> tuple[dict | None, list[dict], list[str]]:
    """Read a log; return (header, events, problems).  A truncated or malformed line is
    reported in ``problems`` and reading stops there (what came before is kept)."""
    header, events, problems = None, [], []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                problems.append(f"line {n} is truncated (the run was interrupted)")
                break
            try:
                obj = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                problems.append(f"line {n} is not valid JSON")
                break
            if not isinstance(obj, dict) or "type" not in obj:
                problems.append(f"line {n} is not an event")
                break
            if n == 1:
                if obj.get("type") != "header":
                    problems.append("line 1 is not a log header")
                    break
                header = obj
            else:
                events.append(obj)
    return header, events, problems
