"""Command-line glue for xAPI: the options of `twinlang assess` that write statements
(``--xapi FILE``) or send them to a Learning Record Store (``--lrs URL``), and what the
`twinlang lrs` verb shares with it.

The options themselves are defined in `twinlang.commands._xapi_options`, which imports
nothing but argparse, so that a verb can add them without loading the assessment.

Lines returned for printing start with ``warning:`` when statements were kept in the
outbox (not lost: they go out with the next send or `twinlang lrs flush`) and with
``error:`` when the LRS refused statements or a read-back differed.
"""

from __future__ import annotations

import argparse
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..cli import UsageError, _os_error_text
from ..commands._xapi_options import add_lrs_arguments, add_xapi_arguments

__all__ = ["actor_from_args", "add_lrs_arguments", "add_xapi_arguments", "handle_xapi",
           "result_lines", "send_and_report"]

_EMAIL = re.compile(r"^[^@\s:]+@[^@\s]+\.[^@\s]+$")


def actor_from_args(args: argparse.Namespace, trainee: str | None = None) -> dict:
    """The xAPI Agent named by ``--actor-mbox`` or ``--actor-account``."""
    name = getattr(args, "actor_name", None) or trainee
    actor: dict = {"objectType": "Agent"}
    if name:
        actor["name"] = name
    mbox = getattr(args, "actor_mbox", None)
    account = getattr(args, "actor_account", None)
    if mbox:
        address = mbox[len("mailto:"):] if mbox.lower().startswith("mailto:") else mbox
        if not _EMAIL.match(address):
            raise UsageError(f"`{mbox}` is not an e-mail address: give --actor-mbox "
                             "like jo.doe@example.org")
        actor["mbox"] = "mailto:" + address
        return actor
    if account:
        home, sep, user = account.rpartition(":")
        if not sep or not user or not re.match(r"^https?://[^\s/:]+(:\d+)?(/\S*)?$", home):
            raise UsageError(f"`{account}` is not HOMEPAGE:NAME: give --actor-account like "
                             "https://lms.example.org:jdoe")
        actor["account"] = {"homePage": home, "name": user}
        return actor
    raise UsageError("xAPI statements need the trainee's identity: give --actor-mbox EMAIL "
                     "or --actor-account HOMEPAGE:NAME")


def _log_facts(assessment) -> tuple[str | None, str | None]:
    """(session id, start time) derived from the log file, when it can be read."""
    log = assessment.run.log
    if not log:
        return None, None
    from .xapi import session_uuid

    try:
        path = Path(log)
        data = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError:
        return None, None
    end = datetime.fromtimestamp(mtime, UTC)
    start = end - timedelta(seconds=max(0.0, assessment.run.end - assessment.run.start))
    return session_uuid(data), start.isoformat().replace("+00:00", "Z")


#: the attributes `handle_xapi` reads (absent ones count as not given)
_OPTIONS = ("xapi", "lrs", "lrs_credentials", "outbox", "verify", "actor_mbox", "actor_account",
            "actor_name", "registration", "session_id", "started_at")


def handle_xapi(args: argparse.Namespace, assessment, bundle) -> list[str]:
    """Write and/or send the statements of ``assessment``; the lines to print.

    Nothing happens (and no line) without ``--xapi`` or ``--lrs``."""
    args = argparse.Namespace(**{**dict.fromkeys(_OPTIONS), **vars(args)})
    if not args.xapi and not args.lrs:
        return []
    from . import lrs
    from .xapi import parse_timestamp, statements, write_statements

    if args.lrs:  # refuse a bad address or credentials before anything is written
        try:
            lrs.endpoint(args.lrs)
            lrs.credentials(args.lrs_credentials)
        except lrs.LrsError as exc:
            raise UsageError(str(exc)) from None
    actor = actor_from_args(args, assessment.run.trainee)
    if args.registration:
        try:
            uuid.UUID(args.registration)
        except ValueError:
            raise UsageError(f"--registration `{args.registration}` is not a UUID") from None
    if args.started_at:
        try:
            parse_timestamp(args.started_at)
        except ValueError:
            raise UsageError(f"--started-at `{args.started_at}` is not an ISO 8601 date and "
                             "time with a time zone, e.g. 2026-11-22T08:30:00Z") from None
    session, started = _log_facts(assessment)
    try:
        items = statements(assessment, bundle, actor=actor, registration=args.registration,
                           session_id=args.session_id or session,
                           timestamp=args.started_at or started)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    lines = []
    if args.xapi:
        try:
            write_statements(items, args.xapi)
        except OSError as exc:
            raise UsageError(_os_error_text(exc, "write", args.xapi)) from None
        lines.append(f"wrote {len(items)} xAPI statements to {args.xapi}")
    if args.lrs:
        lines += send_and_report(args, items)
    return lines


def send_and_report(args: argparse.Namespace, items: list[dict]) -> list[str]:
    """Send ``items`` (after what waits in the outbox) to ``--lrs``; the lines to print."""
    from . import lrs

    try:
        auth = lrs.credentials(args.lrs_credentials)
        waiting = lrs.pending(args.lrs, args.outbox) if args.verify else []
        result = lrs.send(items, args.lrs, auth=auth, outbox=args.outbox)
    except lrs.LrsError as exc:
        raise UsageError(str(exc)) from None
    lines = result_lines(result, args.lrs)
    if args.verify:
        ids = set(result.sent) | set(result.already)
        to_check = [s for s in waiting + items if s["id"] in ids]
        try:
            wrong = lrs.verify(args.lrs, to_check, auth=auth)
        except lrs.LrsError as exc:
            wrong = [str(exc)]
        if wrong:
            lines += [f"error: {w}" for w in wrong]
        else:
            lines.append(f"read back {len(to_check)} statements from the LRS: all match")
    return lines


def result_lines(result, url: str) -> list[str]:
    lines = []
    stored = len(result.sent) + len(result.already)
    if not stored and result.ok:
        return [f"nothing to send to {result.endpoint}: no new statement, and none waits "
                "in the outbox"]
    if stored:
        text = f"sent {len(result.sent)} xAPI statements to {result.endpoint}"
        notes = []
        if result.already:
            notes.append(f"{len(result.already)} already stored")
        if result.from_outbox:
            notes.append(f"{result.from_outbox} from the outbox")
        lines.append(text + (f" ({', '.join(notes)})" if notes else ""))
    if result.kept:
        lines.append(f"warning: {len(result.kept)} xAPI statements kept in the outbox "
                     f"{result.outbox}: " + "; ".join(result.problems[-1:]))
        lines.append("help: they are sent first the next time; to send them now, run "
                     f"`twinlang lrs flush --lrs {result.endpoint}`")
    if result.rejected:
        lines.append(f"error: the LRS refused {len(result.rejected)} xAPI statements; "
                     f"they are kept in {result.rejected_file}")
        lines += [f"  {p}" for p in result.problems if "cannot be reached" not in p][:5]
    return lines
