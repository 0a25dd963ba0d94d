"""Escaping for the formats the writers produce, and the Jinja environments they share.

A scenario file is data: every string a writer takes from it (titles, notes, warnings, role
titles, option labels, ...) is escaped for the format it lands in.

* HTML and XML: Jinja autoescape (``&``, ``<``, ``>``, ``"``, ``'``).
* Markdown: :func:`md_escape`, applied by the Markdown environment to *every* ``{{ }}``
  expression that is not already marked safe, so a template cannot forget it.
* JSON: :func:`twinlang.compile.dumps` (the encoder escapes).

Templates are never built from user text: user strings are only ever values, so
``{{ 7*7 }}`` in a title stays those nine characters.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"

# Characters that mean something to Markdown anywhere in a line.  `<`, `>` and `&` become
# entities (so no renderer sees HTML or a character reference); the others are
# backslash-escaped, which CommonMark allows for any ASCII punctuation.  With `[` and `]`
# escaped no link or image can form, so `(`, `)` and `!` stay as they are (readable).
# `{` and `}` are escaped so that site generators (Liquid, Hugo) do not read `{{ }}` or
# `{% %}`.
_MD_INLINE = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;",
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
    "|": "\\|", "~": "\\~", "{": "\\{", "}": "\\}", "$": "\\$", "#": "\\#",
}
_MD_SPECIAL = re.compile("[" + re.escape("".join(_MD_INLINE)) + "]")
# What opens a block at the start of a line: a list marker (`-`, `+`, `1.`, `1)` followed by
# a space or nothing) or a setext underline / thematic break (a line of `-` or `=` only).
# (`#`, `>`, `*`, `_`, backticks and `~` are escaped everywhere.)
_MD_LINE_START = re.compile(
    r"^(\s*)(?:([-+])(?=\s|$)|(\d{1,9})([.)])(?=\s|$)|([-=])(?=[-=\s]*$))")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def md_escape(text: object) -> str:
    """``text`` as Markdown that renders as exactly that text, on one line.

    Line breaks become ``<br>`` (which this function emits itself; no user text can), so a
    string can never end a list item, open a heading, a fence or a table row.
    """
    s = _CONTROL.sub(" ", str(text).replace("\t", " "))
    lines = _NEWLINES.split(s)
    out = []
    for line in lines:
        line = _MD_SPECIAL.sub(lambda m: _MD_INLINE[m.group()], line)
        line = _MD_LINE_START.sub(_escape_line_start, line)
        out.append(line)
    return "<br>".join(out)


def _escape_line_start(m: re.Match) -> str:
    lead, mark, digits, dot, rule = m.groups()
    if digits is not None:
        return f"{lead}{digits}\\{dot}"
    return f"{lead}\\{mark or rule}"


def md_code(text: object) -> str:
    """An inline code span holding ``text`` (identifiers, twinlang snippets).

    The fence is one backtick longer than the longest run inside, so nothing closes it
    early; code spans are literal, so no HTML or link inside is live.
    """
    s = _NEWLINES.sub(" ", _CONTROL.sub(" ", str(text)))
    longest = max((len(r) for r in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _md_finalize(value):
    """Every `{{ }}` of a Markdown template goes through here: escape unless marked safe."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    return Markup(md_escape(value))


def _environment(**extra) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **extra,
    )


_ENVS: dict[str, jinja2.Environment] = {}


def html_env() -> jinja2.Environment:
    """Templates whose output is HTML: every value HTML-escaped."""
    if "html" not in _ENVS:
        _ENVS["html"] = _environment()
    return _ENVS["html"]


def markdown_env() -> jinja2.Environment:
    """Templates whose output is Markdown: every value Markdown-escaped by :func:`md_escape`;
    ``md_code`` is a filter for identifiers shown as code."""
    if "md" not in _ENVS:
        env = _environment(finalize=_md_finalize)
        env.filters["md_code"] = lambda v: Markup(md_code(v))
        _ENVS["md"] = env
    return _ENVS["md"]


def render(env: jinja2.Environment, template: str, **context) -> bytes:
    """Render a template to UTF-8 bytes with ``\\n`` line ends and one final newline."""
    text = env.get_template(template).render(**context)
    return (text.rstrip("\n") + "\n").encode("utf-8")
