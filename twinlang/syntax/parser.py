"""The Lark LALR parser, built once per process, and `parse` with syntax-error recovery."""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import lark
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .. import ast
from ..diagnostics import Diagnostic, make
from ..paths import grammar_dir
from . import codes
from .source import MAX_NUMBER_LENGTH, Source, iter_brackets, open_braces, span_at

if TYPE_CHECKING:
    from .errors import SyntaxProblem

#: Grammar files, concatenated in this order into one grammar (they share one namespace).
GRAMMAR_FILES = ("twin.lark", "procedure.lark", "lexical.lark")
#: At most this many syntax errors are reported for one file.
MAX_SYNTAX_ERRORS = 20
#: After the first syntax error, stop looking for more once the re-parses have read this
#: many characters in total (each re-parse starts after the last complete top-level
#: declaration, so this is only reached by pathological inputs; it bounds the time).
RECOVERY_BUDGET = 1 << 20
#: The deepest parse tree handed to the tree→AST transformer (it recurses per level).
#: Blocks and parentheses are limited to 64 levels each before parsing (source.py); this
#: catches long chains of `and`, `or`, `not` and dotted module paths.
MAX_TREE_DEPTH = 200


def grammar_text() -> str:
    base = grammar_dir()
    return "\n".join((base / name).read_text(encoding="utf-8") for name in GRAMMAR_FILES)


def _cache_path(text: str) -> Path | None:
    """A per-user cache file for the analysed parse tables (never a shared temp path)."""
    root = os.environ.get("TWINLANG_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    base = Path(root) if root else Path.home() / ".cache"
    key = hashlib.sha256(
        f"{text}\0{lark.__version__}\0{sys.version_info[:2]}".encode()
    ).hexdigest()[:24]
    path = (base / "twinlang" if not os.environ.get("TWINLANG_CACHE_DIR") else base)
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    if not os.access(path, os.W_OK):
        return None
    return path / f"grammar-{key}.lark-cache"


def _build(text: str, cache: str | bool) -> Lark:
    return Lark(text, parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False, cache=cache)


@functools.cache
def get_parser() -> Lark:
    """The parser, built once; the analysed tables are cached per user between runs."""
    text = grammar_text()
    if os.environ.get("TWINLANG_NO_CACHE"):
        return _build(text, False)
    path = _cache_path(text)
    if path is None:
        return _build(text, False)
    if not path.exists():
        # Build into a private temporary file, then move it into place atomically so a
        # concurrent run never reads a half-written cache.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".grammar-", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
        try:
            parser = _build(text, tmp)
            os.replace(tmp, path)
            return parser
        except OSError:
            return _build(text, False)
    try:
        return _build(text, str(path))
    except Exception:  # a corrupt cache must never stop a check
        try:
            path.unlink()
        except OSError:
            pass
        return _build(text, False)


# ---------------------------------------------------------------- the grammar, for messages


@functools.cache
def terminal_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(keyword -> terminal type, punctuation literal -> terminal type) of the grammar."""
    keywords: dict[str, str] = {}
    literals: dict[str, str] = {}
    for t in get_parser().terminals:
        if type(t.pattern).__name__ == "PatternStr":
            word = re.fullmatch(r"[A-Za-z_]\w*", t.pattern.value)
            (keywords if word else literals)[t.pattern.value] = t.name
    return keywords, literals


def accepts_sequence(parser_state, seq) -> bool:
    """Whether the parser, from ``parser_state`` (left untouched), accepts tokens of these
    types in turn; each item of ``seq`` is a type or a set of candidate types.

    This walks Lark's LALR table directly (no values, no callbacks), so trying a repair at
    an error costs a few dictionary look-ups.
    """
    from lark.parsers.lalr_analysis import Shift

    conf = parser_state.parse_conf
    stacks = [list(parser_state.state_stack)]
    for item in seq:
        types = {item} if isinstance(item, str) else item
        stacks = [s for st in stacks for t in types
                  if (s := _simulate(conf.states, conf.end_state, Shift, st, t))][:8]
        if not stacks:
            return False
    return True


def _simulate(states, end_state, shift, stack: list, t: str) -> list | None:
    stack = list(stack)
    for _ in range(1000):
        row = states[stack[-1]]
        if t not in row:
            return None
        action, arg = row[t]
        if action is shift:
            if t == "$END":
                return None
            stack.append(arg)
            return stack
        size = len(arg.expansion)
        if size:
            del stack[-size:]
        stack.append(states[stack[-1]][arg.origin.name][1])
        if t == "$END" and stack[-1] == end_state:
            return stack
    return None


def parse_source(source: Source) -> tuple[ast.Module | None, list[Diagnostic]]:
    """Parse a decoded source into an AST; on syntax errors, report up to 20 of them.

    When any syntax error is found no AST is returned (later stages would only add noise);
    the recovery (:func:`_recover`) looks for the file's further, independent mistakes.
    """
    from .transform import to_ast

    with _collector_paused():
        try:
            tree = get_parser().parse(source.text)
        except UnexpectedInput as err:
            return None, _recover(source, err)
        diags = check_tree(source, tree)
        if diags:
            return None, diags
        module, extra = to_ast(tree, source.file)
        holes = find_placeholders(source, tree)
    if holes:  # an unfilled template: its placeholders would only cascade into other errors
        return None, sorted(extra + holes, key=lambda d: d.span.start)
    return (None if any(d.severity.value == "error" for d in extra) else module), extra


@contextlib.contextmanager
def _collector_paused():
    """Pause Python's cycle collector while a tree is built.

    Parsing allocates millions of small objects and creates no reference cycles; with the
    collector running, its full passes over the growing heap made parse time grow faster
    than the file (a 4 MiB procedure took minutes instead of seconds).  Reference counting
    still frees everything as usual.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


# ---------------------------------------------------------------- limits on a parsed tree


def check_tree(source: Source, tree: Tree) -> list[Diagnostic]:
    """Number literals too long, trees too deep: found without recursion."""
    diags: list[Diagnostic] = []
    stack: list[tuple[Tree, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            pos = node.meta.start_pos if not node.meta.empty else 0
            return [make(
                codes.NESTING_TOO_DEEP,
                f"this is nested more than {MAX_TREE_DEPTH} levels deep",
                span_at(source.file, source.text, pos, 1),
                notes=["long chains of `and`, `or` and `not`, and long dotted module paths, "
                       "nest one level per part"],
                help="split the condition over several steps or `expect` clauses",
            )]
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))
            elif (isinstance(child, Token) and child.type in ("NUMBER", "INT")
                  and len(child) > MAX_NUMBER_LENGTH and len(diags) < MAX_SYNTAX_ERRORS):
                diags.append(make(
                    codes.NUMBER_TOO_LONG,
                    f"number has {len(child):,} characters, over the limit of "
                    f"{MAX_NUMBER_LENGTH}",
                    span_at(source.file, source.text, child.start_pos, len(child)),
                    help="write it with an exponent (`1.5e6`) or in a larger unit",
                ))
    return sorted(diags, key=lambda d: d.span.start)


#: At most this many unfilled placeholders are reported for one file.
MAX_PLACEHOLDERS = 200


def is_placeholder(token: Token) -> bool:
    """Whether a NAME or STRING token is a template placeholder (`<<disconnect tag>>`)."""
    return token.startswith("<<")


def find_placeholders(source: Source, tree: Tree) -> list[Diagnostic]:
    """One TW0006 per `<<...>>` placeholder left in a file written by `twinlang new`."""
    if "<<" not in source.text:
        return []  # no placeholder token can start anywhere: skip the walk of the tree
    found = [tok for tok in tree.scan_values(
        lambda v: isinstance(v, Token) and v.type in ("NAME", "STRING") and is_placeholder(v))]
    found.sort(key=lambda tok: tok.start_pos)
    shown = found[:MAX_PLACEHOLDERS]
    more = (f"{len(found) - len(shown):,} more placeholders are not reported; fill these and "
            "check again")
    return [make(
        codes.UNFILLED_PLACEHOLDER,
        f"placeholder `{tok}` is not filled in",
        span_at(source.file, source.text, tok.start_pos, len(tok)),
        notes=[more] if i == len(shown) - 1 and len(found) > len(shown) else [],
        help=f"replace `{tok}`, brackets included, with the {str(tok)[2:-2].strip()} (the "
             f"comment that names `{tok}` says what to write)",
    ) for i, tok in enumerate(shown)]


# ---------------------------------------------------------------- error recovery
#
# After an error the parse restarts on an edited copy of the text in which the failing
# statement is blanked out (spaces, newlines kept, so every offset, line and column stays
# that of the original).  The edit is chosen so that it does not cause errors of its own:
#
# * a failing line that opens a block is blanked together with the whole block, and a line
#   that closes a block keeps that `}` (so braces stay balanced);
# * a block header whose `{` is on the next line is blanked with that block;
# * a missing `}` is repaired by blanking from the unclosed block's header up to the
#   statement that showed it was missing (as if the `}` had been written);
# * everything before the last complete top-level declaration is blanked as well: it is
#   known to be correct and the parser skips blank text quickly, so each re-parse costs
#   only the distance between two errors.
#
# Each round must report an error on a later line than the round before, so the loop ends;
# MAX_SYNTAX_ERRORS and RECOVERY_BUDGET bound it further.


def _recover(source: Source, err: UnexpectedInput) -> list[Diagnostic]:
    from .errors import describe_error  # errors.py uses this module's tables

    text = source.text
    problems: list[SyntaxProblem] = []
    spent = 0
    while True:
        problem = describe_error(Source(source.file, text), err)
        if problems and problem.span.line <= problems[-1].span.line and not problem.at_end:
            break
        if any(p.span.line == problem.span.line and p.info is problem.info for p in problems):
            break
        problems.append(problem)
        if problem.at_end:
            break
        if len(problems) >= MAX_SYNTAX_ERRORS:
            problem.notes.append(f"stopped after {MAX_SYNTAX_ERRORS} syntax errors; fix these "
                                 "and check again")
            break
        start, end, keep = _repair_region(text, problem, _error_offset(err, text))
        restart = min(_completed_prefix_end(err), start)
        text = _blank(text, 0, restart, ()) if restart > 0 else text
        text = _blank(text, start, end, keep)
        # Re-parse at most the rest of the budget: the text is cut at a line end, and an
        # error at the cut only means the budget ran out.
        remaining = RECOVERY_BUDGET - spent
        if remaining <= 0:
            problem.notes.append(_BUDGET_NOTE)
            break
        cut = len(text)
        if cut - restart > remaining:
            cut = text.rfind("\n", restart, restart + remaining) + 1 or restart + remaining
        try:
            _quick_parse(text[:cut] if cut < len(text) else text)
        except UnexpectedInput as e:
            offset = _error_offset(e, text[:cut])
            spent += max(offset - restart, 0)
            if cut == len(text) or (offset < cut and not _at_end(e)):
                err = e
                continue
        if cut < len(text):
            problem.notes.append(_BUDGET_NOTE)
        break
    return [p.diagnostic() for p in sorted(problems, key=lambda p: p.span.start)]


_BUDGET_NOTE = ("stopped looking for further syntax errors in this file (recovery limit "
                "reached); fix these and check again")


def _at_end(err: UnexpectedInput) -> bool:
    return not isinstance(err, (UnexpectedToken, UnexpectedCharacters)) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END")


def _error_offset(err: UnexpectedInput, text: str) -> int:
    if isinstance(err, UnexpectedCharacters):
        return err.pos_in_stream
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        return err.token.start_pos or 0
    return len(text)


def _quick_parse(text: str) -> None:
    """Parse without building a tree (the recovery only needs to know where it fails)."""
    parser = get_parser()
    try:
        ip = parser.parse_interactive(text)
        conf = copy.copy(ip.parser_state.parse_conf)
        conf.callbacks = {}
        ip.parser_state.parse_conf = conf
    except (AttributeError, TypeError):  # a Lark without these internals: build the tree
        parser.parse(text)
        return
    ip.resume_parse()


def _completed_prefix_end(err: UnexpectedInput) -> int:
    """Where the top-level declarations the parser had completed end (0 if unknown)."""
    try:
        stack = err.interactive_parser.parser_state.value_stack
    except AttributeError:
        return 0
    if not stack:
        return 0
    first = stack[0]
    if isinstance(first, Token):
        return first.start_pos or 0
    if isinstance(first, Tree):  # positions include the tokens the tree leaves out
        return 0 if first.meta.empty else first.meta.end_pos
    last = _last_token(first)  # a parse without callbacks keeps every token
    return 0 if last is None else last.end_pos or 0


def _last_token(value) -> Token | None:
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, Token):
            return v
        children = v.children if isinstance(v, Tree) else v if isinstance(v, list) else ()
        todo.extend(children)
    return None


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


_CONTINUED = re.compile(r',[ \t]*(?:#[^\n]*)?$')


def _repair_region(text: str, problem: SyntaxProblem, offset: int) -> tuple[int, int, tuple]:
    """The text to blank after ``problem``, and the `}` in it to keep."""
    start, end = _line_bounds(text, min(offset, len(text)))
    if problem.close_blocks:
        opened = open_braces(text, start)
        if len(opened) >= problem.close_blocks:
            head = opened[-problem.close_blocks]
            head_start = text.rfind("\n", 0, head) + 1
            return head_start, start, _closers(text, head_start, start)
    # a statement continued over several lines (a list broken after `,`)
    while start > 0:
        prev_start, _ = _line_bounds(text, start - 1)
        if not _CONTINUED.search(text[prev_start:start - 1]):
            break
        start = prev_start
    while end < len(text) and _CONTINUED.search(text[start:end]):
        end = _line_bounds(text, end + 1)[1]
    # blank whole blocks: those opened in the region, and a block whose `{` follows it
    while True:
        stack: list[int] = []
        for pos, c in iter_brackets(text, start, end):
            if c == "{":
                stack.append(pos)
            elif c == "}" and stack:
                stack.pop()
        after = re.compile(r"(?:\s|#[^\n]*)*").match(text, end).end()
        if not stack and text.startswith("{", after):
            stack = [after]
        if not stack:
            break
        close = _match_from(text, stack[0])
        new_end = len(text) if close is None else _line_bounds(text, close)[1]
        if new_end <= end:
            break
        end = new_end
    return start, end, _closers(text, start, end)


def _match_from(text: str, open_pos: int) -> int | None:
    depth = 0
    line_start = text.rfind("\n", 0, open_pos) + 1
    for pos, c in iter_brackets(text, line_start):
        if pos < open_pos or c in "()":
            continue
        depth += 1 if c == "{" else -1
        if depth == 0:
            return pos
    return None


def _closers(text: str, start: int, end: int) -> tuple[int, ...]:
    """The `}` in ``text[start:end]`` that close blocks opened before ``start``."""
    outer = len(open_braces(text, start))
    keep: list[int] = []
    depth = 0
    for pos, c in iter_brackets(text, start, end):
        if c == "{":
            depth += 1
        elif c == "}":
            if depth:
                depth -= 1
            elif len(keep) < outer:
                keep.append(pos)
    return tuple(keep)


def _blank(text: str, start: int, end: int, keep) -> str:
    """``text`` with ``[start, end)`` turned into spaces (newlines and ``keep`` stay)."""
    if end <= start:
        return text
    middle = re.sub(r"[^\n]", " ", text[start:end])
    if keep:
        chars = list(middle)
        for pos in keep:
            chars[pos - start] = text[pos]
        middle = "".join(chars)
    return text[:start] + middle + text[end:]
