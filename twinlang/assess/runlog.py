"""Reading an event log for assessment, and deciding whether it can be trusted.

A log is assessed up to its last good event: a truncated last line (the run was killed)
or a malformed line stops the reading there with a warning.  A log that cannot be
trusted is refused with `AssessError`: no header, another log format, or a header
naming another bundle (another scenario, or the same scenario compiled from other
sources: the content hashes differ).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

LOG_FORMAT = "twinlang.log/1"


class AssessError(Exception):
    """A log or bundle that cannot be assessed; the message says why and what to do."""


@dataclass
class RunLog:
    """The events of one run.  ``events[i]`` is on line ``i + 2`` of the log."""

    header: dict
    events: list[dict]
    warnings: list[str] = field(default_factory=list)
    path: str | None = None
    complete: bool = True

    def line(self, index: int) -> int:
        return index + 2


def read_run(path: str | Path, *, bundle_id: str, content_hash: str) -> RunLog:
    """Read the log at ``path`` and check that it comes from the bundle given."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AssessError(f"cannot read the event log `{path}`: {exc.strerror or exc}") from None
    run = parse_run(data, name=str(path))
    check_bundle(run, bundle_id=bundle_id, content_hash=content_hash)
    return run


def parse_run(data: bytes, *, name: str = "<log>") -> RunLog:
    lines = data.split(b"\n")
    complete_last = data.endswith(b"\n")
    if complete_last:
        lines.pop()
    header: dict | None = None
    events: list[dict] = []
    warnings: list[str] = []
    complete = True
    for n, raw in enumerate(lines, 1):
        last = n == len(lines)
        if last and not complete_last:
            warnings.append(f"line {n} is cut off (the run was interrupted); assessed up to "
                            f"line {n - 1}")
            complete = False
            break
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            if n == 1:
                raise AssessError(f"`{name}` is not an event log: line 1 is not JSON") from None
            warnings.append(f"line {n} is not valid JSON; assessed up to line {n - 1}")
            complete = False
            break
        if n == 1:
            if not isinstance(obj, dict) or obj.get("type") != "header":
                raise AssessError(f"`{name}` is not an event log: line 1 is not a log header")
            if obj.get("format") != LOG_FORMAT:
                raise AssessError(f"`{name}` is a log of format `{obj.get('format')}`; this "
                                  f"version of twinlang reads `{LOG_FORMAT}`")
            header = obj
            continue
        if not _is_event(obj):
            warnings.append(f"line {n} is not an event (it needs a `type` and a numeric `t`); "
                            f"assessed up to line {n - 1}")
            complete = False
            break
        if events and obj["t"] < events[-1]["t"]:
            warnings.append(f"line {n} goes back in time ({obj['t']} s after "
                            f"{events[-1]['t']} s); assessed up to line {n - 1}")
            complete = False
            break
        events.append(obj)
    if header is None:
        raise AssessError(f"`{name}` is empty: an event log starts with a header line")
    if complete and not any(e["type"] == "procedure_ended" for e in events):
        warnings.append("the log ends before the procedure did (no `procedure_ended` event); "
                        "steps not reached count as omitted")
        complete = False
    return RunLog(header=header, events=events, warnings=warnings, path=name, complete=complete)


def _is_event(obj: object) -> bool:
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        return False
    t = obj.get("t")
    return isinstance(t, int | float) and not isinstance(t, bool) and t == t and t >= 0


def check_bundle(run: RunLog, *, bundle_id: str, content_hash: str) -> None:
    b = run.header.get("bundle")
    if not isinstance(b, dict):
        raise AssessError("the log header names no bundle, so the log cannot be matched to "
                          "a scenario")
    if b.get("id") != bundle_id:
        raise AssessError(f"the log is from bundle `{b.get('id')}`, not `{bundle_id}`: assess "
                          f"it with the bundle it was played from")
    if b.get("content_hash") != content_hash:
        raise AssessError(f"the log was played from another build of `{bundle_id}` (content "
                          f"hash {b.get('content_hash')}, the bundle has {content_hash}): "
                          f"recompile the scenario the log came from, or play it again")
    if not isinstance(run.header.get("procedure"), str):
        raise AssessError("the log header names no procedure")
