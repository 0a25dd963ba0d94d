"""Generate docs/rules.md, the catalogue of the step graph's rules, from the registry.

::

    python -m twinlang.graph.docs            # print the page
    python -m twinlang.graph.docs --write    # regenerate docs/rules.md
    python -m twinlang.graph.docs --check    # exit 1 if docs/rules.md is stale

The rules come from the structural codes (TW05xx) and the rule packs
(`twinlang.graph.rules.load_packs()`): code, name, pack, the standard's clause and the
explain text.  Each rule's examples are its test cases, ``tests/codes/cases/CODE.twin``
(known to trigger it) and ``CODE.ok.twin`` (known to pass with no diagnostic at all), and
what `twinlang check` prints for the first, ``tests/codes/golden/CODE.txt``: the page never
shows an example that the test suite does not run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import CodeInfo, catalogue
from ..diagnostics.render.sarif import doc_anchor
from . import codes as structure_codes

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PATH = REPO / "docs" / "rules.md"

#: Examples longer than this are cut, with a pointer to the whole file.
MAX_EXAMPLE_LINES = 60
STRUCTURE = "structure"


@dataclass
class Entry:
    info: CodeInfo
    pack: str
    citations: list[str]


def entries() -> list[Entry]:
    """Every rule: the structural ones first, then each pack's (packs in code order)."""
    from .rules import load_packs

    out: list[Entry] = []
    for info in catalogue().values():
        if info.stage == structure_codes.STAGE and info.severity.value != "note":
            out.append(Entry(info, STRUCTURE, []))
    by_code: dict[str, Entry] = {}
    for rule in load_packs():
        entry = by_code.get(rule.info.code)
        if entry is None:
            entry = by_code[rule.info.code] = Entry(rule.info, rule.pack, [])
        if rule.citation and rule.citation not in entry.citations:
            entry.citations.append(rule.citation)
    # packs in the order of their first code, each pack's rules by code
    first: dict[str, str] = {}
    for code, e in sorted(by_code.items()):
        first.setdefault(e.pack, code)
    return out + sorted(by_code.values(), key=lambda e: (first[e.pack], e.info.code))


# ------------------------------------------------------------------ examples


def _case(code: str, ok: bool, cases: Path) -> Path | None:
    suffix = ".ok" if ok else ""
    single = cases / f"{code}{suffix}.twin"
    if single.is_file():
        return single
    main = cases / f"{code}{suffix}" / "main.twin"
    return main if main.is_file() else None


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n").rstrip("\n") + "\n"


def _fence(text: str, lang: str) -> list[str]:
    """A fenced block longer than any run of backticks in ``text``."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + lang, text.rstrip("\n"), fence]


def _cut(text: str, where: str) -> str:
    lines = text.rstrip("\n").split("\n")
    if len(lines) <= MAX_EXAMPLE_LINES:
        return text
    keep = MAX_EXAMPLE_LINES - 20
    return "\n".join([*lines[:keep], f"# ... {len(lines) - keep} more lines in {where}"]) + "\n"


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _examples(code: str, root: Path) -> list[str]:
    cases = root / "tests" / "codes" / "cases"
    bad, good = _case(code, False, cases), _case(code, True, cases)
    if bad is None:
        return []
    bad_text = _read(bad)
    where = f"`{_rel(bad, root)}`"
    out = [f"A procedure that breaks it ({where}):", "", *_fence(_cut(bad_text, where), "twin"),
           ""]
    golden = root / "tests" / "codes" / "golden" / f"{code}.txt"
    if golden.is_file():
        out += ["What `twinlang check` reports:", "",
                *_fence(_cut(_read(golden), f"`{_rel(golden, root)}`"), "text"), ""]
    if good is not None:
        diff = list(difflib.unified_diff(
            bad_text.split("\n"), _read(good).split("\n"),
            fromfile=_rel(bad, root), tofile=_rel(good, root), lineterm="", n=2))
        if diff:
            where = f"`{_rel(good, root)}`"
            out += [f"The correction ({where}, which passes with no diagnostic at all):", "",
                    *_fence(_cut("\n".join(diff) + "\n", where), "diff"), ""]
    return out


# ------------------------------------------------------------------ the page


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _pack_title(pack: str) -> str:
    if pack == STRUCTURE:
        return "Structure of the step graph"
    return pack[:1].upper() + pack[1:]


def rules_markdown(root: Path = REPO) -> str:
    """The whole text of docs/rules.md; examples are read from ``root``/tests/codes."""
    items = entries()
    out = [
        "# Safety rule catalogue",
        "",
        "<!-- Generated by `python -m twinlang.graph.docs --write` from the rule registry",
        "     and the per-code test cases; do not edit by hand. -->",
        "",
        "`twinlang check` builds the step graph of every procedure (its steps, branches,",
        "parallel blocks, alarm handlers, retries and the steps of the sub-procedures it",
        "calls) and checks the rules below on **every path** through it. A diagnostic names",
        "the step where a path breaks a rule and, in a `path:` note, the path itself.",
        "",
        "Each rule gives the clause of the standard it comes from and the reason behind it.",
        "Its examples are the test cases of the rule: a procedure the test suite proves",
        "breaks it, what `twinlang check` says about it, and the correction, which the",
        "suite proves passes with no diagnostic at all. (The examples take a few small",
        "equipment kinds and roles from `tests/codes/cases/lib.twin` with `use lib.{...}`.)",
        "",
        "A rule that does not apply to a procedure can be switched off in it, or in a whole",
        "file, with a reason: `allow TW0606 because \"affected employees are told by the",
        "shift log\"`. Each `allow` is reported as a note (`TW0500`), so every exception",
        "stays visible to a reviewer.",
        "",
        "| Code | Name | Severity | Rule pack | Source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for e in items:
        link = f"[{e.info.code}](#{doc_anchor(e.info.code, e.info.name)})"
        source = _cell("; ".join(e.citations)) if e.citations else ""
        out.append(f"| {link} | `{e.info.name}` | {e.info.severity.value} | "
                   f"{_cell(_pack_title(e.pack))} | {source} |")
    out.append("")
    current = None
    for e in items:
        if e.pack != current:
            current = e.pack
            out += [f"## {_pack_title(e.pack)}", ""]
        head = f"**{e.info.severity.value}**"
        if e.citations:
            head += " · " + "; ".join(e.citations)
        out += [f"### {e.info.code} {e.info.name}", "", head, "",
                e.info.summary[:1].upper() + e.info.summary[1:] + ".", "",
                e.info.explain.rstrip(), ""]
        out += _examples(e.info.code, root)
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    from ..docgen import page_main

    return page_main(argv, module="twinlang.graph.docs",
                     description="Generate the safety rule catalogue (docs/rules.md).",
                     generate=rules_markdown, default_path=DEFAULT_PATH)


if __name__ == "__main__":
    raise SystemExit(main())
