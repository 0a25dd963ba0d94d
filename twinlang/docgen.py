"""The command line shared by the generated documentation pages (`--write`, `--check`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def page_main(argv: Sequence[str] | None, *, module: str, description: str,
              generate: Callable[[], str], default_path: Path) -> int:
    """Print a generated page, write it (`--write`) or check it is up to date (`--check`)."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=description)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the file")
    mode.add_argument("--check", action="store_true",
                      help="exit with status 1 if the file is out of date")
    parser.add_argument("--path", type=Path, default=default_path,
                        help=f"the file to write or check (default: {default_path})")
    args = parser.parse_args(argv)
    text = generate()
    if args.write:
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {args.path}")
        return 0
    if args.check:
        try:
            current = args.path.read_text(encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot read {args.path}: {exc.strerror}", file=sys.stderr)
            return 1
        if current != text:
            print(f"error: {args.path} is out of date; regenerate it with "
                  f"`python -m {module} --write`", file=sys.stderr)
            return 1
        print(f"{args.path} is up to date")
        return 0
    sys.stdout.write(text)
    return 0
