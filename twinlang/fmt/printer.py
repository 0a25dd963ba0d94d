"""The canonical layout of a twinlang module, printed from its syntax tree.

The printer walks the Lark parse tree (the tree :mod:`twinlang.syntax.transform` turns
into the AST): it holds every declaration and field in source order and every token as
written, so strings keep their escapes, numbers their digits and units their spelling.
Keywords and punctuation come from the rule being printed, never from the text.

Layout rules:

* two spaces of indent per block level; one statement per line (`;` becomes a line break);
* a block written on one line (`{ qualified }`, `{ a; b }`) stays on one line; any other
  block has its `{` at the end of its header line and its `}` on a line of its own;
* lists separated by commas are written on one line (`a, b, c`); no line is wrapped;
* one space around `=`, `->`, comparison operators and between a number and its unit,
  none inside `use x.{A, B}` braces;
* at most one blank line in a row (blank lines the author left between statements are
  kept, none after `{` or before `}`); exactly one blank line before and after every
  top-level declaration that spans several lines;
* own-line comments stay in place, re-indented to their block; a trailing comment stays
  at the end of its line after two spaces.  A statement written over several lines and
  printed on one keeps its last trailing comment; the others move above it;
* parentheses in conditions are written where the grouping needs them, and only there.
"""

from __future__ import annotations

import bisect

from lark import Token, Tree

from .comments import Comment

INDENT = "  "

# Rules printed as `HEADER { ... }` blocks, with the index of their first body child.
_BLOCKS = frozenset({
    "scenario", "kind", "equipment_body", "substance", "fault", "competency", "profile",
    "comp_initial", "comp_refresher", "procedure", "step_block", "parallel", "branch",
    "if_block", "choose", "option", "alarm_block", "role_body",
})
# Binding strength of conditions (higher binds tighter); parentheses where needed.
_COND_LEVEL = {"cond_or": 1, "cond_and": 2, "cond_not": 3}
_SIMPLE_KEYWORDS = {
    "role_qualified": "qualified", "kind_control": "control_device",
    "kind_lockable": "lockable", "proc_group_lockout": "group_lockout",
    "proc_shift_change": "shift_change", "clause_critical": "critical",
    "jump_resume": "resume", "effect_lock_failure": "lock_failure", "clears_never": "never",
}
# `KEYWORD child` statements whose one child is printed as is.
_PREFIXED = {
    "field_id": "id", "field_version": "version", "field_risk": "risk", "field_site": "site",
    "field_description": "description", "module_decl": "module", "kind_stores": "stores",
    "kind_transmits": "transmits", "kind_isolates": "isolates", "kind_actions": "action",
    "rel_feeds": "feeds", "rel_isolates": "isolates", "rel_located_in": "located_in",
    "rel_contains": "contains", "substance_groups": "groups", "fault_trigger": "trigger",
    "fault_effect": "effect", "fault_clears": "clears", "trigger_step": "at step",
    "trigger_time": "at time", "trigger_when": "when", "effect_stuck": "stuck at",
    "effect_leak": "leak", "effect_alarm": "alarm", "clears_after": "after",
    "clears_when": "when", "clears_on_step": "on step", "comp_assesses": "assesses",
    "comp_based_on": "based_on", "comp_valid_for": "valid_for",
    "comp_pass_score": "pass_score", "proc_performed_by": "performed_by",
    "proc_roles": "roles", "proc_attendant": "attendant", "proc_rescue": "rescue",
    "call": "call", "act_wait": "wait", "act_record": "record",
    "act_permit_issue": "issue permit", "act_permit_sign": "sign permit",
    "act_permit_revoke": "revoke permit", "act_account": "account for",
    "clause_requires": "requires", "clause_performed_by": "performed_by",
    "clause_verified_by": "verified_by", "clause_hint": "hint", "clause_warning": "warning",
    "clause_note": "note", "param_default": "=", "state_init": "=", "doc": "doc",
    "arg_to": "to", "arg_on": "on", "arg_at": "at", "random_seed": "seed",
    "random_every": "every", "weight": "weight",
}


def _tokens(children) -> list[Token]:
    return [c for c in children if isinstance(c, Token)]


def _trees(children) -> list[Tree]:
    return [c for c in children if isinstance(c, Tree)]


def _opt_string(children) -> str:
    return "".join(f" {c}" for c in children if isinstance(c, Token) and c.type == "STRING")


class Printer:
    """Prints one parse tree; :meth:`render` gives the text."""

    def __init__(self, comments: list[Comment]) -> None:
        self._own = [c for c in comments if c.own_line]
        self._own_lines = [c.line for c in self._own]
        self._next_own = 0
        self._trailing = [c for c in comments if not c.own_line]
        # each output line: [indent level, text, first source line, last source line]
        self._lines: list[list] = []

    # ------------------------------------------------------------ output

    def _emit(self, level: int, text: str, lo: int, hi: int) -> None:
        self._lines.append([level, text, lo, hi])

    def _blank(self) -> None:
        if self._lines and self._lines[-1][1] != "":
            self._lines.append([0, "", -1, -1])

    def render(self) -> str:
        trailing = self._place_trailing()
        out: list[str] = []
        for idx, (level, text, _lo, _hi) in enumerate(self._lines):
            notes = trailing.get(idx, [])
            pad = INDENT * level
            out.extend(f"{pad}{c.text}" for c in notes[:-1])
            line = f"{pad}{text}" if text else ""
            if notes:
                line = f"{line}  {notes[-1].text}"
            out.append(line)
        while out and not out[-1]:
            out.pop()
        return "\n".join(out) + "\n" if out else ""

    def _place_trailing(self) -> dict[int, list[Comment]]:
        """Output line index -> trailing comments: each goes to the last line printed from
        its source line (or, failing that, the last one printed from before it)."""
        owner: dict[int, int] = {}
        starts: list[tuple[int, int]] = []  # (first source line, output index), sorted
        for idx, (_level, _text, lo, hi) in enumerate(self._lines):
            if lo < 0:
                continue
            if not starts or lo >= starts[-1][0]:
                starts.append((lo, idx))
            for line in range(lo, hi + 1):
                owner[line] = idx
        placed: dict[int, list[Comment]] = {}
        for c in self._trailing:
            idx = owner.get(c.line)
            if idx is None:
                k = bisect.bisect_right(starts, (c.line, len(self._lines)))
                idx = starts[k - 1][1] if k else 0
            placed.setdefault(idx, []).append(c)
        if self._trailing and not self._lines:  # pragma: no cover - code implies a line
            self._lines.append([0, "", -1, -1])
        return placed

    # ------------------------------------------------------------ modules and bodies

    def module(self, tree: Tree) -> None:
        self._body(tree.children, 0, 0, None, top=True)

    def _take_own(self, upto: int | None) -> list[Comment]:
        """Own-line comments not printed yet on lines before ``upto`` (all if None)."""
        taken = []
        while self._next_own < len(self._own) and (
                upto is None or self._own[self._next_own].line < upto):
            taken.append(self._own[self._next_own])
            self._next_own += 1
        return taken

    def _body(self, items, level: int, start_line: int, end_line: int | None,
              *, top: bool = False) -> None:
        prev_end = start_line
        prev_multi = False
        first = True
        for item in items:
            multi = self._multi_line(item)
            # comments inside a statement printed on one line move above it
            lead = self._take_own(item.meta.line if multi or self._is_block(item)
                                  else item.meta.end_line + 1)
            force = top and not first and (prev_multi or multi)
            for j, c in enumerate(lead):
                if not first and (c.line - prev_end > 1 or (force and j == 0)):
                    self._blank()
                self._emit(level, c.text, -1, -1)
                prev_end, first = max(prev_end, c.line), False
            if not first and (item.meta.line - prev_end > 1 or (force and not lead)):
                self._blank()
            self._statement(item, level)
            prev_end, prev_multi, first = item.meta.end_line, multi, False
        rest = self._take_own(end_line)
        for j, c in enumerate(rest):
            if not first and (c.line - prev_end > 1 or (top and j == 0 and prev_multi)):
                self._blank()
            self._emit(level, c.text, -1, -1)
            prev_end, first = c.line, False

    def _is_block(self, node: Tree) -> bool:
        if node.data == "role":
            return any(isinstance(c, Tree) and c.data == "role_body" for c in node.children)
        if node.data == "equipment":
            return any(isinstance(c, Tree) and c.data == "equipment_body"
                       for c in node.children)
        return node.data in _BLOCKS

    def _multi_line(self, node: Tree) -> bool:
        if not self._is_block(node) or node.meta.line == node.meta.end_line:
            return False
        if node.data != "if_block" and not self._split_block(node)[1]:
            # an empty block is written `{}` unless it holds comments
            i = bisect.bisect_right(self._own_lines, node.meta.line, lo=self._next_own)
            return i < len(self._own) and self._own[i].line < node.meta.end_line
        return True

    def _statement(self, node: Tree, level: int) -> None:
        if not self._multi_line(node):
            self._emit(level, self.inline(node), node.meta.line, node.meta.end_line)
            return
        header, body = self._split_block(node)
        if node.data == "if_block":
            else_block = next((c for c in body if isinstance(c, Tree)
                               and c.data == "else_block"), None)
            then = [c for c in body if c is not else_block]
            self._emit(level, f"{header} {{", node.meta.line, node.meta.line)
            if else_block is None:
                self._body(then, level + 1, node.meta.line, node.meta.end_line)
            else:
                line = else_block.meta.line
                self._body(then, level + 1, node.meta.line, line)
                self._emit(level, "} else {", line, line)
                self._body(else_block.children, level + 1, line, else_block.meta.end_line)
            self._emit(level, "}", node.meta.end_line, node.meta.end_line)
            return
        self._emit(level, f"{header} {{", node.meta.line, node.meta.line)
        self._body(body, level + 1, node.meta.line, node.meta.end_line)
        self._emit(level, "}", node.meta.end_line, node.meta.end_line)

    def _split_block(self, node: Tree) -> tuple[str, list[Tree]]:
        """The header text of a block statement and the statements of its body."""
        ch = node.children
        d = node.data
        if d in ("role", "equipment"):
            body = ch[-1]
            return self._header(node, ch[:-1]), body.children
        if d == "role_body":  # only reached through `role`
            return "", ch
        if d in ("scenario", "choose", "option"):
            return f"{self._keyword(d)} {ch[0]}", ch[1:]
        if d in ("kind", "substance", "competency", "profile", "procedure", "branch",
                 "step_block"):
            n = 2 if len(ch) > 1 and isinstance(ch[1], Token) and ch[1].type == "STRING" else 1
            return f"{self._keyword(d)} {ch[0]}{_opt_string(ch[1:n])}", ch[n:]
        if d == "fault":
            n = 3 if isinstance(ch[1], Token) else 2
            return (f"fault {ch[0]}{_opt_string(ch[1:n - 1])} on {self.inline(ch[n - 1])}",
                    ch[n:])
        if d in ("comp_initial", "comp_refresher"):
            return self._keyword(d), ch
        if d == "parallel":
            if ch and isinstance(ch[0], Token):
                return f"parallel {ch[0]}", ch[1:]
            return "parallel", ch
        if d == "if_block":
            return f"if {self.cond(ch[0])}", ch[1:]
        if d == "alarm_block":
            rest = ch[1:]
            head = f"on alarm {self.cond(ch[0])}"
            if rest and isinstance(rest[0], Tree) and rest[0].data == "during":
                head += f" during {self.inline(rest[0].children[0])}"
                rest = rest[1:]
            return head, rest
        raise ValueError(f"not a block: {d}")  # pragma: no cover

    @staticmethod
    def _keyword(data: str) -> str:
        return {"step_block": "step", "comp_initial": "initial",
                "comp_refresher": "refresher"}.get(data, data)

    def _header(self, node: Tree, ch) -> str:
        if node.data == "role":
            return f"role {ch[0]}{_opt_string(ch[1:])}"
        # equipment: name, title?, kind
        title = _opt_string(ch[1:-1])
        return f"equipment {self.inline(ch[0])}{title} is {ch[-1]}"

    # ------------------------------------------------------------ one-line forms

    def _inline_block(self, node: Tree) -> str:
        header, body = self._split_block(node)
        if node.data == "if_block":
            else_block = next((c for c in body if isinstance(c, Tree)
                               and c.data == "else_block"), None)
            then = [c for c in body if c is not else_block]
            text = f"{header} {self._braces(then)}"
            if else_block is not None:
                text += f" else {self._braces(else_block.children)}"
            return text
        return f"{header} {self._braces(body)}"

    def _braces(self, items) -> str:
        return "{ " + "; ".join(self.inline(i) for i in items) + " }" if items else "{}"

    def inline(self, node) -> str:
        """One statement, field, action or value on one line."""
        if isinstance(node, Token):
            if node.type == "PERCENT":
                base = node[1:].strip()
                return f"% {base}" if base else "%"
            return str(node)
        if self._is_block(node):
            return self._inline_block(node)
        d = node.data
        ch = node.children
        if d in _SIMPLE_KEYWORDS:
            return _SIMPLE_KEYWORDS[d]
        if d in _PREFIXED:
            return " ".join([_PREFIXED[d], *(self._part(c) for c in ch)])
        method = getattr(self, f"_r_{d}", None)
        if method is None:
            raise ValueError(f"the formatter does not know the rule `{d}`")  # pragma: no cover
        return method(ch)

    def _part(self, node) -> str:
        if isinstance(node, Tree) and node.data.startswith("cond_"):
            return self.cond(node)
        return self.inline(node)

    # values and shared pieces

    def _r_name(self, ch):
        return str(ch[0])

    def _r_name_list(self, ch):
        return ", ".join(str(c) for c in ch)

    def _r_ref(self, ch):
        return ".".join(str(c) for c in ch)

    def _r_ref_list(self, ch):
        return ", ".join(self.inline(c) for c in ch)

    def _r_quantity(self, ch):
        return " ".join(self.inline(c) for c in ch)

    def _r_unit(self, ch):
        return self.inline(ch[0])

    def _r_string_value(self, ch):
        return str(ch[0])

    def _r_name_value(self, ch):
        return str(ch[0])

    def _r_true_value(self, ch):
        return "true"

    def _r_false_value(self, ch):
        return "false"

    # top level

    def _r_use(self, ch):
        names = ", ".join(self.inline(c) for c in ch[1:])
        return f"use {self.inline(ch[0])}.{{{names}}}"

    def _r_use_all(self, ch):
        return f"use {self.inline(ch[0])}.*"

    def _r_module_path(self, ch):
        return ".".join(self.inline(c) for c in ch)

    def _r_import_name(self, ch):
        return f"{ch[0]} as {ch[1]}" if len(ch) > 1 else str(ch[0])

    def _r_role(self, ch):
        return f"role {ch[0]}{_opt_string(ch[1:])}"

    def _r_equipment(self, ch):
        return self._header(Tree("equipment", []), ch)

    def _r_reactivity(self, ch):
        return f"reactivity {ch[0]} {ch[1]}{_opt_string(ch[2:])}"

    def _r_incompatible(self, ch):
        return f"incompatible {ch[0]} with {ch[1]}: {self.inline(ch[2])}"

    def _r_energy_type(self, ch):
        flags = " stored" if any(isinstance(c, Tree) for c in ch) else ""
        return f"energy_type {ch[0]}{_opt_string(ch[1:])}{flags}"

    def _r_allow(self, ch):
        return f"allow {ch[0]} because {ch[1]}"

    # kinds, equipment, chemistry, competencies

    def _r_param_def(self, ch):
        return f"param {ch[0]}: " + " ".join(self.inline(c) for c in ch[1:])

    def _r_state_def(self, ch):
        return f"state {ch[0]}: " + " ".join(self.inline(c) for c in ch[1:])

    def _r_type_expr(self, ch):
        if len(ch) > 1:
            return f"{ch[0]}({self.inline(ch[1])})"
        return str(ch[0])

    def _r_param_range(self, ch):
        return f"range {self.inline(ch[0])} .. {self.inline(ch[1])}"

    def _r_param_set(self, ch):
        return f"{ch[0]} = {self.inline(ch[1])}"

    def _r_position(self, ch):
        return "at " + ", ".join(self.inline(c) for c in ch)

    def _r_threshold(self, ch):
        return " ".join(self.inline(c) for c in ch)

    def _r_critical_flag(self, ch):
        return "critical"

    # faults

    def _r_trigger_random(self, ch):
        return "random probability " + " ".join(self.inline(c) for c in ch)

    def _r_effect_drift(self, ch):
        ref = f"{self.inline(ch[0])} " if len(ch) == 3 else ""
        return f"drift {ref}by {self.inline(ch[-2])} per {self.inline(ch[-1])}"

    def _r_effect_sensor_failure(self, ch):
        return "sensor_failure" + (f" reading {self.inline(ch[0])}" if ch else "")

    # procedures

    def _r_proc_energy(self, ch):
        return "energy " + ", ".join(self.inline(c) for c in ch)

    def _r_energy_source(self, ch):
        return f"{ch[0]} from {self.inline(ch[1])}"

    def _r_proc_hazard(self, ch):
        text = f"hazard {ch[0]}{_opt_string(ch[1:])}"
        names = [c for c in ch[1:] if c.type == "NAME"]
        return text + (f" class {names[0]}" if names else "")

    def _r_proc_permit(self, ch):
        return f"permit {ch[0]}{_opt_string(ch[1:])}"

    def _r_proc_ppe(self, ch):
        return "ppe " + ", ".join(str(c) for c in ch)

    def _r_proc_boundary(self, ch):
        pairs = [f"{ch[i]} {self.inline(ch[i + 1])}" for i in range(0, len(ch), 2)]
        return "boundary " + ", ".join(pairs)

    def _r_step_line(self, ch):
        n = 2 if isinstance(ch[1], Token) else 1
        head = f"step {ch[0]}{_opt_string(ch[1:n])}: "
        return head + " ".join(self.inline(c) for c in ch[n:])

    def _r_alarm_jump(self, ch):
        text = f"on alarm {self.cond(ch[0])}"
        if len(ch) == 3:
            text += f" during {self.inline(ch[1].children[0])}"
        return f"{text} -> {self.inline(ch[-1])}"

    def _r_jump_goto(self, ch):
        bound = f" up to {ch[1].children[0]} times" if len(ch) > 1 else ""
        return f"goto {ch[0]}{bound}"

    def _r_jump_abort(self, ch):
        return "abort" + _opt_string(ch)

    # actions

    def _r_action_chain(self, ch):
        return " and ".join(self.inline(c) for c in ch)

    def _r_act_notify(self, ch):
        return f"notify {ch[0]}{_opt_string(ch[1:])}"

    def _r_act_communicate(self, ch):
        return f"communicate {ch[0]}{_opt_string(ch[1:])}"

    def _r_act_work(self, ch):
        return f"work {ch[0]}" + (f" for {self.inline(ch[1])}" if len(ch) > 1 else "")

    def _r_act_wait_until(self, ch):
        text = f"wait until {self.cond(ch[0], 3)}"
        return text + (f" within {self.inline(ch[1])}" if len(ch) > 1 else "")

    def _r_act_apply(self, ch):
        return f"apply {ch[0]} to {self.inline(ch[1])}"

    def _r_act_remove(self, ch):
        return f"remove {ch[0]} from {self.inline(ch[1])}"

    def _r_act_hold(self, ch):
        return f"hold for {ch[0]}{_opt_string(ch[1:])}"

    def _r_act_clear_area(self, ch):
        return "clear area" + _opt_string(ch)

    def _r_act_generic(self, ch):
        return " ".join(self.inline(c) for c in ch)

    def _r_clause_expect(self, ch):
        text = f"expect {self.cond(ch[0])}"
        return text + (f" within {self.inline(ch[1])}" if len(ch) > 1 else "")

    # ------------------------------------------------------------ conditions

    def cond(self, node: Tree, need: int = 1) -> str:
        """A condition, in parentheses when it binds less tightly than ``need``."""
        d = node.data
        ch = node.children
        level = _COND_LEVEL.get(d, 4)
        if d == "cond_or":
            text = f"{self.cond(ch[0], 1)} or {self.cond(ch[1], 2)}"
        elif d == "cond_and":
            text = f"{self.cond(ch[0], 2)} and {self.cond(ch[1], 3)}"
        elif d == "cond_not":
            text = f"not {self.cond(ch[0], 3)}"
        elif d == "cond_compare":
            text = f"{self.inline(ch[0])} {ch[1]} {self.inline(ch[2])}"
        elif d == "cond_between":
            text = (f"{self.inline(ch[0])} between {self.inline(ch[1])} "
                    f"and {self.inline(ch[2])}")
        elif d == "cond_is":
            text = f"{self.inline(ch[0])} is {ch[1]}"
        elif d == "cond_ref":
            text = self.inline(ch[0])
        else:  # pragma: no cover - the grammar has no other condition
            raise ValueError(f"not a condition: {d}")
        return f"({text})" if level < need else text
