"""Formatting a buffer with `twinlang fmt` (`twinlang.fmt.format_text`)."""

from __future__ import annotations

import logging

from lsprotocol import types

from .positions import LineIndex

log = logging.getLogger(__name__)


class FormatUnavailable(Exception):
    """The buffer cannot be formatted: it has syntax errors, or there is no formatter."""


def format_edits(text: str, name: str, index: LineIndex) -> list[types.TextEdit]:
    """The edits that turn ``text`` into its canonical layout (none when it already is)."""
    try:
        from ..fmt import FormatError, format_text
    except ImportError as exc:
        raise FormatUnavailable("this twinlang has no formatter (`twinlang.fmt`)") from exc
    try:
        new = format_text(text, name=name)
    except FormatError as exc:
        count = len(getattr(exc, "diagnostics", ()) or ())
        raise FormatUnavailable(f"`{name}` was not formatted: fix the {count or 'syntax'} "
                                "error(s) first") from exc
    if new == text:
        return []
    whole = types.Range(start=types.Position(line=0, character=0), end=index.end())
    return [types.TextEdit(range=whole, new_text=new)]
