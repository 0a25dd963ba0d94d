"""`twinlang lsp`: the language server for editors, on standard input and output."""

from __future__ import annotations

import argparse


def register(verbs) -> None:
    lsp = verbs.add_parser(
        "lsp", help="run the language server (for editors)",
        description="Run the twinlang language server over standard input and output. "
        "Editors start it themselves; see docs/editors.md. It reports the same diagnostics "
        "as `twinlang check` while you type, and offers hover, go to definition, completion, "
        "an outline and formatting.",
    )
    lsp.add_argument("--stdio", action="store_true",
                     help="talk over standard input and output (the default and only transport; "
                     "accepted because some editors always pass it)")
    lsp.add_argument("--log-file", metavar="FILE",
                     help="write the server's log to FILE instead of standard error")
    lsp.add_argument("-v", "--verbose", action="store_true", help="log debugging detail")
    lsp.set_defaults(command="lsp", func=cmd_lsp)


def cmd_lsp(args: argparse.Namespace) -> int:
    from ..lsp.server import main

    main(log_file=args.log_file, verbose=args.verbose)
    return 0
