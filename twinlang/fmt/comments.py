"""Finding the comments of a source: the lexer drops them, the formatter keeps them.

A comment runs from `#` to the end of its line, outside strings and template
placeholders.  Each is either *own-line* (only blanks before it on its line) or
*trailing* (it follows code on its line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A comment, a string (one line; possibly unterminated, as the lexer sees it), or a
# template placeholder: the two tokens a `#` may appear in without starting a comment.
_SCAN = re.compile(r'#[^\n]*|"(?:[^"\\\n]|\\[^\n])*"?|<<[^<>\n]+>>')


@dataclass
class Comment:
    line: int
    text: str
    own_line: bool


def scan_comments(text: str) -> list[Comment]:
    """The comments of ``text`` (already normalised to ``\\n`` line ends), in order."""
    found: list[Comment] = []
    line = 1
    counted = 0
    for m in _SCAN.finditer(text):
        if text[m.start()] != "#":
            continue
        line += text.count("\n", counted, m.start())
        counted = m.start()
        line_start = text.rfind("\n", 0, m.start()) + 1
        own = not text[line_start:m.start()].strip()
        found.append(Comment(line=line, text=m.group(0).rstrip(), own_line=own))
    return found
