"""The github format: GitHub Actions workflow commands, one annotation per diagnostic.

One line per diagnostic (wrapped here)::

    ::error file=examples/loto.twin,line=7,endLine=7,col=3,endColumn=7,
    title=TW0107 (missing-equals)::a parameter needs `=` ...%0Ahelp: write it as ...

``error`` and ``warning`` keep their names, ``note`` becomes ``::notice``.  Labels, notes
and the help follow the message on lines of their own.  Everything taken from a
diagnostic is escaped as the runner expects (``%``, CR and LF everywhere; ``:`` and ``,``
as well in property values), so a file name or a message can never end the command early
or start a new one.  Other control characters are shown as visible stand-ins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..model import Diagnostic, Severity
from .human import clean_text

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    """Escape the message part of a workflow command.

    Other control characters (an ESC would drive the log viewer's terminal emulation)
    and bidirectional overrides are replaced by visible stand-ins first.
    """
    text = clean_text(text, keep="\n\r\t")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``) of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(diag: Diagnostic) -> str:
    lines = [diag.message]
    for lab in diag.labels:
        where = f"{lab.span.file}:{lab.span.line}:{lab.span.column}"
        lines.append(f"{where}: {lab.message}" if lab.message else where)
    lines += [f"note: {n}" for n in diag.notes]
    if diag.help:
        lines.append(f"help: {diag.help}")
    return "\n".join(lines)


def annotation(diag: Diagnostic) -> str:
    """The workflow command for one diagnostic (without the final new line)."""
    props: list[tuple[str, str]] = []
    span = diag.span
    if span is not None:
        props += [("file", span.file), ("line", str(span.line)), ("endLine", str(span.end_line)),
                  ("col", str(span.column)), ("endColumn", str(span.end_column))]
    props.append(("title", f"{diag.code} ({diag.name})"))
    params = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{_COMMAND[diag.severity]} {params}::{escape_data(_message(diag))}"


def render_github(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, str],
    *,
    color: bool = False,
    tool_version: str = "",
) -> str:
    """One workflow command per line (``sources`` and ``color`` are not used)."""
    return "".join(annotation(d) + "\n" for d in diagnostics)
