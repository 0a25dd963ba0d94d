"""`twinlang new TEMPLATE PATH`: start a scenario from a template of the standard library.

Templates are `stdlib/templates/NAME.twin`: complete scenarios in which what depends on the
plant is a placeholder, `<<disconnect tag>>`, with a comment above it saying what to write.
`twinlang check` reports every placeholder left (TW0006) until the last one is filled.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli import EXIT_OK, UsageError, _os_error_text, _write

#: The first line of a template: `# Template: WHAT IT IS.`
_TITLE_PREFIX = "# Template:"


def register(verbs) -> None:
    new = verbs.add_parser(
        "new", help="start a scenario from a template",
        description="Write a new scenario file from one of twinlang's templates (lockout/tagout, "
        "confined space entry, chemical transfer, electrically safe work condition). The file "
        "has placeholders such as <<disconnect tag>>, each with a comment saying what to write; "
        "`twinlang check` lists those still to fill. An existing file is never overwritten.",
    )
    new.add_argument("template", nargs="?", metavar="TEMPLATE", help="the template's name")
    new.add_argument("path", nargs="?", metavar="PATH", help="the .twin file to write")
    new.add_argument("--list", action="store_true", help="list the templates")
    new.set_defaults(command="new", func=cmd_new)


def templates_dir() -> Path:
    from ..paths import stdlib_dir

    return stdlib_dir() / "templates"


def templates() -> dict[str, Path]:
    """Template name -> file, sorted by name."""
    folder = templates_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.twin")) if not p.name.startswith(".")}


def template_title(path: Path) -> str:
    with open(path, encoding="utf-8") as f:
        first = f.readline().strip()
    if not first.startswith(_TITLE_PREFIX):
        return ""
    return first.removeprefix(_TITLE_PREFIX).strip().rstrip(".")


def cmd_new(args: argparse.Namespace) -> int:
    found = templates()
    if args.list:
        if args.template or args.path:
            raise UsageError("`--list` takes no TEMPLATE or PATH")
        width = max((len(n) for n in found), default=0)
        _write(sys.stdout, "".join(f"{name:<{width}}  {template_title(p)}\n"
                                   for name, p in found.items()))
        return EXIT_OK
    if not args.template or not args.path:
        raise UsageError("`new` needs a TEMPLATE and a PATH, e.g. `twinlang new lockout_tagout "
                         "loto_c12.twin`; `twinlang new --list` lists the templates")
    source = found.get(args.template)
    if source is None:
        raise UsageError(_unknown_template(args.template, list(found)))
    target = Path(args.path)
    if target.exists() or target.is_symlink():
        raise UsageError(f"`{args.path}` already exists; `new` never overwrites a file "
                         "(choose another PATH or remove the file first)")
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(_os_error_text(exc, "read", str(source))) from None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except FileExistsError:
        raise UsageError(f"`{args.path}` already exists; `new` never overwrites a file") from None
    except OSError as exc:
        raise UsageError(_os_error_text(exc, "write", args.path)) from None
    holes = _count_placeholders(text)
    _write(sys.stderr, f"wrote {args.path} from the template `{args.template}`: fill its "
           f"{holes} placeholders (`<<...>>`) as its comments say; `twinlang check "
           f"{args.path}` lists those still to fill\n")
    return EXIT_OK


def _count_placeholders(text: str) -> int:
    from ..syntax.parser import get_parser, is_placeholder

    tree = get_parser().parse(text)
    return sum(1 for _ in tree.scan_values(
        lambda v: getattr(v, "type", None) in ("NAME", "STRING") and is_placeholder(v)))


def _unknown_template(name: str, names: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    if not close:  # `loto`, `eswc`: the start of a name or its initials
        low = name.lower().replace("-", "_")
        close = [n for n in names if n.startswith(low) or
                 "".join(w[0] for w in n.split("_")) == low][:1]
    hint = f"; did you mean `{close[0]}`?" if close else ""
    known = ", ".join(f"`{n}`" for n in names) or "none are installed"
    return f"there is no template `{name}`{hint} (templates: {known})"
