"""Syntax-error messages: which catalogued mistake a parse failure is, in words.

The catalogue (:mod:`twinlang.syntax.catalogue`) lists the mistakes people make, each with
a code, message, help and examples.  An error is matched to an entry by a rule, not by
Lark's ``match_examples`` alone, because a parser state says little about *what* was
found there: rules look at the state, at the token found, at the text around it, and try
small repairs on a copy of the parser stack (would the line parse with a `;`, a `}` or an
`and` inserted here?).  Entries whose rule is the parser state use the states their own
examples fail in, so they follow the grammar when it changes.  A failure that matches no
entry gets a generic message built from what was found and what the parser expected.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..diagnostics import Diagnostic, Label, Span, make
from ..diagnostics.codes import CodeInfo
from . import codes
from .catalogue import CATALOGUE, Entry, Example
from .parser import accepts_sequence, get_parser, terminal_tables
from .source import Source, code_part, describe_character, lex_one, open_braces, span_at

#: Re-raise errors inside the rules instead of falling back to the generic message (the
#: tests set this, so that a broken rule fails them rather than hiding).
STRICT = False

# ---------------------------------------------------------------- the grammar's terminals

_NAMED = {
    "NAME": "a name", "STRING": "a string", "NUMBER": "a number", "INT": "a whole number",
    "UNIT": "a unit", "PERCENT": "`%`", "COMPARATOR": "a comparison (`==`, `<`, ...)",
    "CODE": "a diagnostic code such as `TW0301`", "_NL": "a line break",
    "$END": "the end of the file",
}
_WORD = re.compile(r"[A-Za-z_°µΩ][A-Za-z0-9_°µΩ]*(?:-[A-Za-z0-9_]+)*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")
# The rest of a statement on its line: up to a comment, `;` or `}` outside strings.
_STATEMENT = re.compile(r'(?:[^"#\n;}]|"(?:[^"\\\n]|\\.)*"?)*')


def _humanize(term: str) -> str:
    if term in _NAMED:
        return _NAMED[term]
    keywords, literals = terminal_tables()
    for table in (keywords, literals):
        for value, name in table.items():
            if name == term:
                return f"`{value}`"
    return f"`{term.lower()}`"


def _word_types(word: str) -> set[str]:
    keywords, _ = terminal_tables()
    out = set()
    if _NAME.fullmatch(word):
        out.add("NAME")
    if word in keywords:
        out.add(keywords[word])
    if _WORD.fullmatch(word) and "-" not in word:
        out.add("UNIT")
    return out


def _shown(value: str, limit: int = 30) -> str:
    """A piece of source for a message: shortened, with invisible characters spelled out."""
    if len(value) > limit:
        value = value[: limit - 3] + "..."
    return "".join(c if c.isprintable() else f"\\u{{{ord(c):x}}}" for c in value)


# ---------------------------------------------------------------- one error, in context


@dataclass
class SyntaxProblem:
    """What the parser met, described for a person, and a hint for the error recovery."""

    info: CodeInfo
    message: str
    span: Span
    help: str | None = None
    notes: list[str] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    close_blocks: int = 0  # the fix is this many `}` before the error (recovery uses it)
    at_end: bool = False

    def diagnostic(self) -> Diagnostic:
        return make(self.info, self.message, self.span, labels=self.labels, notes=self.notes,
                    help=self.help)


class _Ctx:
    """The error with everything the rules look at."""

    def __init__(self, source: Source, err: UnexpectedInput) -> None:
        self.source, self.err, self.text = source, err, source.text
        text = self.text
        self.ip = getattr(err, "interactive_parser", None)
        self.tok = err.token if isinstance(err, UnexpectedToken) else None
        self.type = self.tok.type if self.tok is not None else None
        self.at_end = self.type == "$END" or not isinstance(
            err, (UnexpectedToken, UnexpectedCharacters))
        if isinstance(err, UnexpectedCharacters):
            self.pos = err.pos_in_stream
        elif self.at_end or self.tok.start_pos is None:
            self.pos = len(text)
        else:
            self.pos = self.tok.start_pos
        self.raw = "" if self.tok is None or self.at_end else str(self.tok)
        if self.raw and _WORD.match(self.raw):  # the fallback lexer may cut `V-1` to `V`
            longer = _NAME.match(text, self.pos)
            if longer and len(longer.group(0)) > len(self.raw):
                self.raw = longer.group(0)
        self.line_start = text.rfind("\n", 0, self.pos) + 1
        nl = text.find("\n", self.pos)
        self.line_end = len(text) if nl < 0 else nl
        self.before = text[self.line_start:self.pos]
        after = self.pos + len(self.raw) if self.type != "_NL" else self.pos
        self.rest = _STATEMENT.match(text, after, self.line_end).group(0).strip()
        self.tail = _STATEMENT.match(text, self.pos, self.line_end).group(0).strip()
        self.accepts = self._accepts()
        self.word = bool(self.raw) and bool(_WORD.fullmatch(self.raw))
        self.found_types = (_word_types(self.raw) | {self.type}) if self.word else {self.type}

    def _accepts(self) -> set[str]:
        err = self.err
        acc = set(getattr(err, "accepts", None) or getattr(err, "expected", None) or ())
        if not isinstance(err, UnexpectedToken) and self.ip is not None:
            try:
                acc = set(self.ip.accepts())
            except Exception:  # best effort: keep what the error carried
                if STRICT:
                    raise
        return {t for t in acc if t not in ("WS_INLINE", "COMMENT")}

    # -- what is around the error

    @property
    def found(self) -> str:
        if self.at_end:
            return "the end of the file"
        if self.type == "_NL":
            return "the end of the line"
        if self.type == "STRING":
            return f"the string `{_shown(self.raw)}`"
        return f"`{_shown(self.raw)}`"

    def prev_word(self) -> str | None:
        m = re.search(r"([A-Za-z0-9_°µΩ%.\-]+|[^\sA-Za-z0-9_]+)\s*$", code_part(self.before))
        return m.group(1) if m else None

    def next_types(self, skip: int = 0) -> set[str]:
        """Candidate types of the token after the one found (a small lexer for one token)."""
        pos = self.pos if self.type in ("_NL", "$END") else self.pos + len(self.raw)
        for _ in range(skip + 1):
            types, pos = lex_one(self.text, pos, terminal_tables()[1], _word_types)
        return types

    # -- trying repairs on a copy of the parser stack

    def fits(self, *seq: set[str] | str) -> bool:
        """Whether the parser, from the error state, accepts tokens of these types in turn."""
        if self.ip is None:
            return False
        try:
            return accepts_sequence(self.ip.parser_state, seq)
        except Exception:  # the parse table is Lark's; never let a hint break a check
            if STRICT:
                raise
            return False

    @property
    def state(self) -> int | None:
        try:
            return self.ip.parser_state.position
        except AttributeError:
            return None


# ---------------------------------------------------------------- rules

_SAMPLES = {"within": "40 s", "for": "20 min", "wait": "5 min", "=": "2 in", "range": "1 bar",
            "up": "3", "to": "3", "weight": "2", "seed": "42", "..": "10 bar"}


@functools.cache
def _example_states(name: str) -> frozenset[int]:
    """The parser states the examples of a catalogue entry fail in."""
    states = set()
    for ex in CATALOGUE[name].examples:
        try:
            get_parser().parse(ex.text)
        except UnexpectedInput as e:
            ip = getattr(e, "interactive_parser", None)
            if ip is not None:
                states.add(ip.parser_state.position)
    return frozenset(states)


def _in_example_states(c: _Ctx, info: CodeInfo) -> bool:
    return c.state is not None and c.state in _example_states(info.name)


def _field_with_equals(c: _Ctx):
    prev = c.prev_word()
    keywords, _ = terminal_tables()
    if (c.type in ("EQUAL", "COLON", "COMPARATOR") and prev in keywords
            and c.fits(c.next_types(), c.next_types(1))):
        return {"prev": prev, "found": c.raw, "rest": c.rest}
    return None


def _single_equals(c: _Ctx):
    return {} if c.type == "EQUAL" and "COMPARATOR" in c.accepts else None


def _missing_arrow(c: _Ctx):
    _, literals = terminal_tables()
    arrow = literals.get("->")
    if arrow not in c.accepts:
        return None
    if c.raw in ("goto", "resume", "abort"):
        return {"found_raw": c.raw}
    if c.type == "EQUAL" and c.text.startswith(">", c.pos + 1):
        return {"message": "an alarm handler uses `->`, not `=>`", "help": "write `->`"}
    return None


def _else_on_new_line(c: _Ctx):
    if c.raw == "else" and not c.before.strip():
        return {} if _line_above(c).endswith("}") else None
    return None


def _line_above(c: _Ctx) -> str:
    """The code of the last line above the error that has any."""
    for line in reversed(c.text[max(0, c.line_start - 4000):c.line_start].split("\n")):
        if code_part(line).strip():
            return code_part(line).rstrip()
    return ""


def _else_if(c: _Ctx):
    return {} if c.raw == "if" and c.prev_word() == "else" else None


def _brace_on_new_line(c: _Ctx):
    if c.type == "LBRACE" and not c.before.strip():
        # the header was complete without a block (`equipment V-1 is GateValve`)
        above = _line_above(c)
        words = above.split()
        if not words or words[-1].endswith(("{", "}", ";")):
            return None
        start = c.text.rfind(above, max(0, c.line_start - 4000), c.line_start)
        start += len(above) - len(above.lstrip())
        return {"head": _shown(words[0]),
                "labels": [_block_label(c, start, "the header it belongs to", len(words[0]))]}
    if c.type != "_NL" or "LBRACE" not in c.accepts:
        return None
    brace = re.compile(r"(?:\s|#[^\n]*)*").match(c.text, c.pos).end()
    if not c.text.startswith("{", brace):
        return None
    head = code_part(c.before).split()
    return {"head": _shown(head[0]) if head else "its header",
            "labels": [_block_label(c, brace, "this `{`")]}


def _wait_for(c: _Ctx):
    if c.type in ("NUMBER", "INT") and re.search(r"\bwait\s+for\s*$", c.before):
        return {"rest": _shown(c.tail, 40)}
    return None


_ENDS = frozenset({"_NL", "SEMICOLON", "RBRACE", "COMMA", "RPAR"})


def _missing_value(c: _Ctx):
    if not (c.at_end or c.type in _ENDS or c.raw in ("..", "->")):
        return None
    prev = c.prev_word() or "this"
    if c.accepts & {"NUMBER", "INT"}:
        return {"prev": prev, "sample": _SAMPLES.get(prev, "1")}
    if "NAME" in c.accepts and c.accepts <= {"NAME", "LPAR", "NOT"}:
        if c.accepts == {"NAME"}:
            return {"message": f"a name is missing after `{_shown(prev)}`",
                    "help": f"write the name on the same line: `{_shown(prev)} NAME`"}
        return {"message": f"a condition is missing after `{_shown(prev)}`",
                "help": f"write the condition on the same line: `{_shown(prev)} A.x > 1 bar`"}
    return None


def _missing_number(c: _Ctx):
    if not (c.accepts & {"NUMBER", "INT"}) or "NAME" in c.accepts:
        return None
    if not (c.word or c.type == "STRING"):
        return None
    prev = c.prev_word() or "this"
    return {"prev": prev, "found": c.found, "sample": _SAMPLES.get(prev, "1")}


# Statements that start with a name, and what may follow the name ("" = the line end).
_HEADS = {"step": (":", "{", '"'), "procedure": ("{", '"'), "equipment": ("is", '"'),
          "kind": ("{", '"'), "role": ("{", '"'), "fault": ("on", '"'),
          "competency": ("{", '"'), "profile": ("{", '"'), "substance": ("{", '"'),
          "branch": ("{", '"'), "id": ("",)}


def _space_in_name(c: _Ctx):
    line = code_part(c.text[c.line_start:c.line_end])
    m = re.match(r'\s*([a-z_]+)\s+([^\s:{"]+(?:[ \t]+[^\s:{"]+)+?)[ \t]*(?=[:{"]|\bis\b|\bon\b|$)',
                 line)
    if not m or m.group(1) not in _HEADS:
        return None
    stop = line[m.end():]
    if not any(stop.startswith(t) if t else not stop.strip() for t in _HEADS[m.group(1)]):
        return None
    name = m.group(2)
    words = name.split()
    if not all(re.fullmatch(r"[A-Za-z0-9_\-]+", w) for w in words):
        return None
    if not (m.start(2) < c.pos - c.line_start <= m.end(2)):
        return None
    sep = "-" if all(re.fullmatch(r"[A-Z0-9]+", w) for w in words) else "_"
    return {"name": name, "joined": sep.join(words)}


def _state_rule(info: CodeInfo, keyword: str):
    """A rule matching the states its examples fail in, in a statement that starts with
    ``keyword`` (LALR states are shared between statements: `name` after `id` and after
    `equipment` is one state)."""
    def rule(c: _Ctx):
        if not _in_example_states(c, info):
            return None
        return {} if re.search(rf"(?:^|[;{{])\s*{keyword}\b", code_part(c.before)) else None
    return rule


def _missing_step_name(c: _Ctx):
    if not _in_example_states(c, codes.MISSING_STEP_NAME) or c.prev_word() != "step":
        return None
    if c.type in ("NUMBER", "INT"):
        return {"message": "a step name must start with a letter or `_`",
                "help": f"write a name such as `step s{c.raw}:`"}
    return {}


def _use_without_braces(c: _Ctx):
    if _state_rule(codes.USE_WITHOUT_BRACES, "use")(c) is None:
        return None
    m = re.match(r"\s*use\s+([\w.\-]+)\s*(.*)", code_part(c.text[c.line_start:c.line_end]))
    if not m:
        return {"path": "stdlib.equipment", "names": "Motor, Pump"}
    path, _, last = m.group(1).rpartition(".")
    if not path or not last[:1].isupper():  # `use stdlib.equipment`: the module alone
        return {"path": m.group(1), "names": "NAME, ..."}
    names = ", ".join([last] + [n.strip() for n in m.group(2).strip(", ").split(",") if n.strip()])
    return {"path": path, "names": names}


def _missing_closing_brace(c: _Ctx):
    if "RBRACE" not in c.accepts or not c.word:
        return None
    opened = open_braces(c.text, c.pos)
    for k in range(1, min(len(opened), 4) + 1):
        if not c.fits(*(["RBRACE"] * k), "SEMICOLON", c.found_types):
            continue
        # Indentation tells a forgotten `}` (the word sits no deeper than the block's
        # header) from a statement put in a block that does not allow it.
        head = opened[-1]
        head_line = c.text[c.text.rfind("\n", 0, head) + 1:head]
        indent = len(head_line) - len(head_line.lstrip())
        if len(c.before) - len(c.before.lstrip()) > indent or c.before.strip():
            block = code_part(head_line).split()
            where = f"a `{_shown(block[0])}` block" if block else "this block"
            return {"info": codes.SYNTAX_ERROR,
                    "message": f"`{_shown(c.raw)}` is not allowed directly inside {where}",
                    "help": "move it out of the block, to where it is allowed",
                    "labels": [_block_label(c, head, "the block that contains it")]}
        return {"found": c.found, "close": k,
                "labels": [_block_label(c, head, "this block is not closed")]}
    return None


def _block_label(c: _Ctx, pos: int, message: str, length: int = 1) -> Label:
    return Label(span=span_at(c.source.file, c.text, pos, length), message=message)


def _unknown_keyword(c: _Ctx):
    if not c.word or "NAME" in c.accepts or c.fits(c.found_types):
        return None
    keywords, _ = terminal_tables()
    allowed = [w for w, t in keywords.items() if t in c.accepts]
    if c.raw.lower() in allowed:
        return {"found_raw": c.raw, "keyword": c.raw.lower(),
                "help": f"keywords are written in lowercase: `{c.raw.lower()}`"}
    close = difflib.get_close_matches(c.raw.lower(), allowed, n=1, cutoff=0.75)
    return {"found_raw": c.raw, "keyword": close[0]} if close else None


def _missing_and(c: _Ctx):
    nxt = c.next_types()
    if not c.word or not c.before.strip() or not c.fits("AND", c.found_types, nxt):
        return None
    if not nxt & {"DOT", "COMPARATOR", "IS", "BETWEEN", "NAME", "STRING"}:
        return None
    left = code_part(c.before).rsplit(":", 1)[-1].strip()
    out = {"help": f"write `{_shown(left, 30)} and {_shown(c.tail, 30)}`"}
    if c.fits("OR", c.found_types):
        out.update(message="two conditions need `and` or `or` between them",
                   help="join them with `and` (both must hold) or `or` (either may hold)")
    return out


def _missing_separator(c: _Ctx):
    if not c.before.strip() or c.type in ("_NL", "$END") or c.at_end:
        return None
    if c.fits("SEMICOLON", c.found_types, c.next_types()):
        return {}
    return None


_ACTION_WORDS = frozenset({"notify", "communicate", "work", "wait", "record", "apply", "remove",
                           "issue", "sign", "revoke", "hold", "account", "clear"})


def _action_outside_step(c: _Ctx):
    keywords, _ = terminal_tables()
    if not c.word or "STEP" not in c.accepts or "NAME" in c.accepts:
        return None
    if code_part(c.before).strip() and not code_part(c.before).rstrip().endswith(";"):
        return None  # not at the start of a statement
    if c.raw in keywords and c.raw not in _ACTION_WORDS:
        return None
    line = _shown(c.tail, 40)
    if c.rest.startswith(":"):
        return {"message": f"`{_shown(c.raw)}:` looks like a step without the word `step`",
                "help": f"write `step {line}`"}
    if c.before.rstrip().endswith(";"):
        return {"found_raw": c.raw,
                "help": f"`;` ended the step; join the actions of one step with `and`: "
                f"`... and {line}`"}
    return {"found_raw": c.raw, "line": line}


def _missing_equals(c: _Ctx):
    prev = c.prev_word()
    if prev is None or not _NAME.fullmatch(prev) or not c.fits("EQUAL", c.found_types):
        return None
    return {"prev": prev, "rest": _shown(c.tail, 40)}


def _missing_quotes(c: _Ctx):
    if not c.word or "STRING" not in c.accepts or "NAME" in c.accepts or '"' in c.tail:
        return None
    # The text runs up to the first word or brace that may follow a string here.
    text = c.tail
    for m in re.finditer(r"[ \t]+(?=([A-Za-z_][\w-]*|\{))", c.tail):
        nxt = m.group(1)
        if c.fits("STRING", {"LBRACE"} if nxt == "{" else _word_types(nxt)):
            text = c.tail[:m.start()]
            break
    return {"rest": _shown(text, 40)}


def _unmatched_closing_brace(c: _Ctx):
    if c.type != "RBRACE" or "RBRACE" in c.accepts or open_braces(c.text, c.pos):
        return None
    return {}


def _unclosed_block(c: _Ctx):
    if not c.at_end or "RBRACE" not in c.accepts:
        return None
    opened = open_braces(c.text, len(c.text))
    if not opened:
        return None
    return {"labels": [_block_label(c, opened[-1], "this block is not closed")]}


_RULES = {
    codes.FIELD_WITH_EQUALS.name: _field_with_equals,
    codes.SINGLE_EQUALS.name: _single_equals,
    codes.MISSING_ARROW.name: _missing_arrow,
    codes.ELSE_ON_NEW_LINE.name: _else_on_new_line,
    codes.ELSE_IF.name: _else_if,
    codes.BRACE_ON_NEW_LINE.name: _brace_on_new_line,
    codes.WAIT_FOR.name: _wait_for,
    codes.MISSING_VALUE.name: _missing_value,
    codes.MISSING_NUMBER.name: _missing_number,
    codes.SPACE_IN_NAME.name: _space_in_name,
    codes.MISSING_STEP_NAME.name: _missing_step_name,
    codes.MISSING_STEP_COLON.name: _state_rule(codes.MISSING_STEP_COLON, "step"),
    codes.MISSING_IS.name: _state_rule(codes.MISSING_IS, "equipment"),
    codes.USE_WITHOUT_BRACES.name: _use_without_braces,
    codes.MISSING_CLOSING_BRACE.name: _missing_closing_brace,
    codes.UNKNOWN_KEYWORD.name: _unknown_keyword,
    codes.MISSING_QUOTES.name: _missing_quotes,
    codes.MISSING_AND.name: _missing_and,
    codes.MISSING_SEPARATOR.name: _missing_separator,
    codes.ACTION_OUTSIDE_STEP.name: _action_outside_step,
    codes.MISSING_EQUALS.name: _missing_equals,
    codes.UNMATCHED_CLOSING_BRACE.name: _unmatched_closing_brace,
    codes.UNCLOSED_BLOCK.name: _unclosed_block,
}
assert list(_RULES) == list(CATALOGUE), "every catalogue entry has a rule, in the same order"


# ---------------------------------------------------------------- describing an error

#: Entries whose message is helped by the list of what the parser expected.
_WITH_EXPECTED = (codes.MISSING_VALUE, codes.MISSING_NUMBER, codes.UNKNOWN_KEYWORD,
                  codes.MISSING_STEP_NAME, codes.SYNTAX_ERROR)


def describe_error(source: Source, err: UnexpectedInput) -> SyntaxProblem:
    """Choose the code, message, help, notes and labels for a syntax error."""
    c = _Ctx(source, err)
    span = _error_span(c)
    if isinstance(err, UnexpectedCharacters):
        info, message, help_text = describe_character(c.text, c.pos)
        ch = c.text[c.pos:c.pos + 1]
        _, literals = terminal_tables()
        if ch in ("-", "–", "—") and literals.get("..") in c.accepts:
            message, help_text = (f"`{ch}` cannot separate the ends of a range",
                                  "write a range as `LOW .. HIGH`, for example `1 in .. 48 in`")
        elif ch == "/" and "DOT" in c.accepts:
            message, help_text = ("`/` cannot separate the parts of a module path",
                                  "write `.` between them: `use stdlib.equipment.{Motor}`")
        notes = [] if info is not codes.UNEXPECTED_CHARACTER or help_text else _expected(c)
        return SyntaxProblem(info, message, span, help_text or "remove it, or put it inside a "
                             "string", notes)
    notes = _expected(c)
    hint = _word_hint(c)
    if hint:
        return SyntaxProblem(codes.SYNTAX_ERROR, f"unexpected {c.found.removeprefix('the ')}",
                             span, hint, notes)
    for name, rule in _RULES.items():
        try:
            fields = rule(c)
        except Exception:  # a rule is a hint; the generic message still helps
            if STRICT:
                raise
            fields = None
        if fields is None:
            continue
        entry = CATALOGUE[name]
        if fields.get("info", entry.info) not in _WITH_EXPECTED:
            notes = []
        message = fields.pop("message", None) or _fill(entry.message, fields, c)
        help_text = fields.pop("help", None) or _fill(entry.help, fields, c)
        return SyntaxProblem(fields.get("info", entry.info), message, span, help_text, notes,
                             list(fields.get("labels", ())), fields.get("close", 0), c.at_end)
    message = ("unexpected end of file" if c.at_end else "unexpected end of line"
               if c.type == "_NL" else f"unexpected {c.found.removeprefix('the ')}")
    return SyntaxProblem(codes.SYNTAX_ERROR, message, span, _generic_help(c), notes,
                         at_end=c.at_end)


def _fill(template: str, fields: dict, c: _Ctx) -> str:
    values = {"found": c.found, "found_raw": _shown(c.raw), "prev": c.prev_word() or "",
              "rest": _shown(c.rest, 40)}
    values.update({k: _shown(v, 60) for k, v in fields.items() if isinstance(v, str)})
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _error_span(c: _Ctx) -> Span:
    file, text = c.source.file, c.text
    if c.at_end:
        end = len(text.rstrip())
        return span_at(file, text, max(end - 1, 0), 1)
    if c.type == "_NL" or c.tok is None:
        return span_at(file, text, c.pos, 1 if c.tok is None else 0)
    return span_at(file, text, c.pos, max(len(c.raw), 1))


def _expected(c: _Ctx) -> list[str]:
    items = sorted({_humanize(t) for t in c.accepts},
                   key=lambda s: (not s.startswith("`"), s in ("a line break", "the end of the "
                                                               "file"), s))
    if not items:
        return []
    if len(items) > 8:
        return ["expected one of " + ", ".join(items[:8]) + f" and {len(items) - 8} more"]
    if len(items) == 1:
        return [f"expected {items[0]}"]
    return ["expected " + ", ".join(items[:-1]) + " or " + items[-1]]


_CLAUSES = frozenset({"expect", "requires", "critical", "performed_by", "verified_by", "hint",
                      "warning", "note", "within"})
_WORD_HINTS = {
    ("then", "LBRACE"): "remove `then`: the block starts with `{`",
    ("within", "_NL"): "`within` limits an `expect` or a `wait until`: "
                       "`expect M-12.speed <= 1 rpm within 40 s`",
    ("to", ".."): "write a range as `LOW .. HIGH`, for example `0.25 in .. 48 in`",
    ("-", ".."): "write a range as `LOW .. HIGH`, for example `0.25 in .. 48 in`",
}


def _word_hint(c: _Ctx) -> str | None:
    _, literals = terminal_tables()
    for (word, term), hint in _WORD_HINTS.items():
        if c.raw == word and (literals.get(term, term) in c.accepts):
            return hint
    keywords, _ = terminal_tables()
    code = code_part(c.before)
    if c.raw in ("and", "or") and re.search(r"\bwithin\s+\S+(?:\s+\S+)?\s*$", code):
        return "put `within ...` at the end, after the whole condition"
    if re.search(r"\bwait\s+until\b.*\band\s+[\w-]+$", code):
        return ("a condition with `and` after `wait until` needs parentheses: "
                "`wait until (A.x < 1 bar and B.y < 2 bar)`")
    if c.raw in _CLAUSES and code.rstrip().endswith(";"):
        return f"`;` ended the step; write `{c.raw}` on the step's line, without `;` before it"
    unit = re.search(r"(?:^|[\s=<>])[+-]?[0-9][0-9.]*(?:[eE][+-]?[0-9]+)?[ \t]+"
                     r"([A-Za-z°µΩ][\w°µΩ^*/]*)[ \t]*$", c.before)
    if (unit and c.word and "-" not in c.raw and c.raw not in keywords
            and unit.group(1) not in keywords
            and c.next_types() & {"_NL", "SEMICOLON", "RBRACE", "$END"}):
        return (f"write a compound unit without spaces, joined with `*` or `/`: "
                f"`{_shown(unit.group(1))}*{_shown(c.raw)}`")
    return None


def _generic_help(c: _Ctx) -> str | None:
    _, literals = terminal_tables()
    after = c.text[c.pos + 1:c.pos + 2]
    if c.raw == "," and after.isdigit() and c.before.rstrip()[-1:].isdigit():
        return "write decimals with a point: `1.5`, not `1,5`"
    if c.raw == "." and after.isdigit() and c.accepts & {"NUMBER", "INT"}:
        return "write a zero before the point: `0.5`"
    if c.at_end:
        return None
    keywords, _ = terminal_tables()
    single = [t for t in c.accepts if t != literals.get(".")
              and (t in literals.values() or t in keywords.values() or t == "_NL")]
    found = {keywords[c.raw]} if c.raw in keywords else c.found_types
    nxt = c.next_types()
    if nxt == {"$END"}:  # judge the statement, not the rest of the file
        nxt = {"_NL"}
    fitting = [t for t in single if c.fits(t, found, nxt)]
    if 1 <= len(fitting) <= 2:
        what = " or ".join(sorted("a line break" if t == "_NL" else _humanize(t) for t in fitting))
        return f"add {what} before {c.found}"
    # a keyword for a word: `remove lock to V-1` -> `from`
    instead = [t for t in single if t in keywords.values() and c.fits(t, nxt)]
    if len(instead) == 1 and c.word and not fitting:
        return f"write {_humanize(instead[0])} instead of {c.found}"
    if c.accepts and c.accepts <= {"_NL", "SEMICOLON", "RBRACE", "$END"}:
        return "end the statement here: start a new line or put `;` before what follows"
    return None


__all__ = ["CATALOGUE", "Entry", "Example", "SyntaxProblem", "describe_error"]
