"""`twinlang lrs`: send xAPI statements to a Learning Record Store and empty the outbox.

    twinlang lrs flush --lrs URL             send what waits in the outbox for URL
    twinlang lrs send FILE.jsonl --lrs URL   send statements written by `assess --xapi`

Exit codes: 0 every statement is stored, 1 some were kept in the outbox or refused,
2 usage or I/O problem.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..cli import EXIT_DIAGNOSTICS, EXIT_OK, UsageError, _os_error_text, _write


def register(verbs) -> None:
    from ._xapi_options import add_lrs_arguments

    lrs = verbs.add_parser(
        "lrs", help="send xAPI statements to a Learning Record Store",
        description="Send xAPI statements to a Learning Record Store (LRS). Statements the "
        "LRS does not take (it is down, or refuses the credentials) wait in an outbox and "
        "are sent first the next time. Credentials come from TWINLANG_LRS_USERNAME and "
        "TWINLANG_LRS_PASSWORD or --lrs-credentials FILE.",
        epilog="Exit codes: 0 every statement stored, 1 some kept in the outbox or refused, "
        "2 usage or I/O problem.")
    sub = lrs.add_subparsers(title="actions", metavar="ACTION", dest="lrs_action")
    flush = sub.add_parser("flush", help="send the statements waiting in the outbox",
                           description="Send the statements waiting in the outbox for the "
                           "LRS at URL.")
    add_lrs_arguments(flush, required=True)
    send = sub.add_parser("send", help="send statements from JSON Lines files",
                          description="Send the statements of JSON Lines files (as written "
                          "by `twinlang assess --xapi FILE`), after those waiting in the "
                          "outbox.")
    send.add_argument("files", nargs="+", metavar="FILE", help="a JSON Lines file of statements")
    add_lrs_arguments(send, required=True)
    lrs.set_defaults(command="lrs", func=cmd_lrs, lrs_action=None)


def _read_statements(path: str) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise UsageError(_os_error_text(exc, "read", path)) from None
    except UnicodeDecodeError:
        raise UsageError(f"`{path}` is not UTF-8 text") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"`{path}` line {n} is not JSON: {exc.msg.lower()}") from None
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise UsageError(f"`{path}` line {n} is not an xAPI statement with an `id`")
        out.append(item)
    return out


def cmd_lrs(args: argparse.Namespace) -> int:
    from ..assess.xapi_cli import send_and_report

    if args.lrs_action is None:
        raise UsageError("an action is required: `flush` or `send`")
    items: list[dict] = []
    if args.lrs_action == "send":
        for path in args.files:
            items += _read_statements(path)
    lines = send_and_report(args, items)
    _write(sys.stdout, "\n".join(lines) + "\n")
    bad = any(line.startswith(("warning:", "error:")) for line in lines)
    return EXIT_DIAGNOSTICS if bad else EXIT_OK
