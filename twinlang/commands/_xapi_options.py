"""The xAPI and LRS options of `twinlang assess` and `twinlang lrs`.

Kept apart from `twinlang.assess.xapi_cli` (which does the work) so that building the
command line imports nothing but argparse.  Used as::

    from ._xapi_options import add_xapi_arguments      # in register(verbs)
    from ..assess.xapi_cli import handle_xapi          # in the verb's func
"""

from __future__ import annotations

import argparse

__all__ = ["add_lrs_arguments", "add_xapi_arguments"]


def add_lrs_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *,
                      required: bool = False) -> None:
    """``--lrs``, ``--lrs-credentials``, ``--outbox``, ``--verify``."""
    parser.add_argument(
        "--lrs", metavar="URL", required=required,
        help="send the statements to the Learning Record Store with this xAPI endpoint, "
        "e.g. https://lrs.example.org/xAPI/ (a bare https://host:port gets /xAPI/); "
        "credentials come from TWINLANG_LRS_USERNAME and TWINLANG_LRS_PASSWORD or "
        "--lrs-credentials")
    parser.add_argument(
        "--lrs-credentials", metavar="FILE",
        help='a file with the LRS credentials: JSON {"username": ..., "password": ...} '
        "or one line user:password")
    parser.add_argument(
        "--outbox", metavar="DIR",
        help="where statements the LRS did not take wait to be sent again (default: "
        "$TWINLANG_OUTBOX, else ~/.cache/twinlang/outbox)")
    parser.add_argument("--verify", action="store_true",
                        help="read every statement back from the LRS and compare it")


def add_xapi_arguments(parser: argparse.ArgumentParser) -> None:
    """The xAPI options of `twinlang assess`."""
    g = parser.add_argument_group(
        "xAPI", "Statements of the attempt, each competency and each critical step "
        "(see docs/assessment.md)")
    g.add_argument("--xapi", metavar="FILE",
                   help="write the xAPI statements to FILE (JSON Lines)")
    add_lrs_arguments(g)
    who = g.add_mutually_exclusive_group()
    who.add_argument("--actor-mbox", metavar="EMAIL",
                     help="the trainee's e-mail address, which identifies them in the LRS")
    who.add_argument("--actor-account", metavar="HOMEPAGE:NAME",
                     help="the trainee's account on a system, e.g. "
                     "https://lms.example.org:jdoe (the name must not contain `:`)")
    g.add_argument("--actor-name", metavar="NAME",
                   help="the trainee's name as shown (default: the log's trainee)")
    g.add_argument("--registration", metavar="UUID",
                   help="the registration (enrolment) the attempt belongs to (default: a "
                   "UUID derived from the log)")
    g.add_argument("--session-id", metavar="ID",
                   help="the session id (default: a UUID derived from the log's content)")
    g.add_argument("--started-at", metavar="TIME",
                   help="wall-clock time the run started, ISO 8601 with a time zone "
                   "(default: the log's modification time less the run's duration)")
