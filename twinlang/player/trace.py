"""Traces: a trainee's timed actions, read from a file and checked before the run.

A trace is JSON Lines, one action per line:

    {"t": 0, "by": "operator", "action": "notify operator"}
    {"t": 12.5, "by": "mechanic", "action": "close V-31"}
    {"t": 40, "by": "mechanic", "action": "apply lock to V-31"}
    {"t": 300, "by": "supervisor", "choose": "Bleed again"}
    {"t": 310, "by": "mechanic", "hint": true}
    {"t": 320, "by": "supervisor", "verify": "tryout"}

`action` uses the action syntax of twinlang steps (`open DS-12`, `apply lock to DS-12,
V-31`, `verify VT-1 on PU-1`, `account for mechanic, operator`); `by` is a role of the
scenario; `t` is seconds from the start (played at the nearest physics step) and never goes
backwards.  Unknown equipment, a
verb the equipment's kind does not accept, an unknown role or time going backwards are
reported with the line number before anything runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..bundle import model as m

_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([^\s,"]+)|(,))')
_DEVICES = ("lock", "tag", "ground", "bond", "blind", "block", "barrier")


class TraceError(ValueError):
    """A trace that cannot be played; the message names the line and the problem."""


@dataclass(frozen=True)
class Act:
    """One action of a trainee (or of the expert policy)."""

    op: str
    verb: str | None = None
    targets: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    device: str | None = None
    permit: str | None = None
    role: str | None = None
    roles: tuple[str, ...] = ()
    #: `at`: a quantity (`at 80 %`, `at 4 L`, with its type), a name (`at off`) or a bare
    #: number (a count)
    at: m.Quantity | str | float | None = None
    text: str | None = None
    #: the targets as written, with the state read where one is named (`measure
    #: GD-1.oxygen`); empty when no target names a state.  Part of the key: measuring the
    #: oxygen and measuring the LEL of one detector are different actions.
    refs: tuple[str, ...] = ()

    def key(self) -> tuple:
        """What identifies the action for matching it to a step (texts excluded)."""
        who = self.role if self.op in ("notify", "communicate", "hold") else None
        return (self.op, self.verb, frozenset(self.refs or self.targets), frozenset(self.to),
                self.device, self.permit, who, frozenset(self.roles))

    def describe(self) -> str:
        if self.op == "do":
            text = f"{self.verb} " + ", ".join(self.refs or self.targets)
            if self.to:
                text += " to " + ", ".join(self.to)
            if self.at is not None:
                text += " at " + value_text(self.at)
            return text
        if self.op in ("apply", "remove"):
            prep = "to" if self.op == "apply" else "from"
            return f"{self.op} {self.device} {prep} " + ", ".join(self.targets)
        if self.op.startswith("permit_"):
            return f"{self.op[7:]} permit {self.permit}"
        if self.op in ("notify", "communicate"):
            return f"{self.op} {self.role}"
        if self.op == "hold":  # parse_action reads it back
            return f"hold for {self.role}"
        if self.op == "account":
            return "account for " + ", ".join(self.roles)
        if self.op == "record" and self.targets:
            return "record " + ", ".join(self.refs or self.targets)
        return self.op.replace("_", " ")


def value_text(value) -> str:
    if isinstance(value, m.Quantity):
        return f"{value.value:g} {value.unit}" if value.unit else f"{value.value:g}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def act_from_model(a: m.Action) -> Act:
    """The :class:`Act` a step's action asks for."""
    refs = tuple(_ref_text(r) for r in a.targets) if a.op in ("do", "record") else ()
    return Act(op=a.op, verb=a.verb, targets=tuple(r.equipment for r in a.targets),
               to=tuple(_ref_text(r) for r in a.to), device=a.device, permit=a.permit,
               role=a.role, roles=tuple(a.roles), text=a.text, at=a.at,
               refs=refs if any("." in x for x in refs) else ())


def _ref_text(ref: m.StateRef) -> str:
    return ref.equipment if ref.state is None else f"{ref.equipment}.{ref.state}"


def parse_action(text: str) -> Act:
    """Parse action text (`apply lock to DS-12, V-31`) into an :class:`Act`."""
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        mt = _TOKEN.match(text, pos)
        if mt is None or mt.end() == pos:
            if text[pos:].strip():
                raise ValueError(f"cannot read `{text[pos:].strip()}`")
            break
        tokens.append(mt.group(1) or mt.group(2) or ",")
        pos = mt.end()
    if not tokens:
        raise ValueError("the action is empty")
    quoted = [t[1:-1] for t in tokens if t.startswith('"')]
    words = [t for t in tokens if not t.startswith('"')]
    note = quoted[0] if quoted else None

    def names(items: list[str]) -> tuple[str, ...]:
        return tuple(x for x in items if x != ",")

    head = words[0]
    if head in ("notify", "communicate") and len(words) >= 2:
        return Act(op=head, role=words[1], text=note)
    if head == "work":
        return Act(op="work", text=note)
    if head == "record":
        written = names(words[1:])
        return Act(op="record", targets=tuple(w.split(".")[0] for w in written), text=note,
                   refs=written if any("." in w for w in written) else ())
    if head in ("apply", "remove") and len(words) >= 4 and words[2] in ("to", "from"):
        if words[1] not in _DEVICES:
            raise ValueError(f"`{words[1]}` is not a protective device")
        return Act(op=head, device=words[1], targets=names(words[3:]))
    if head in ("issue", "sign", "revoke") and len(words) == 3 and words[1] == "permit":
        return Act(op=f"permit_{head}", permit=words[2])
    if head == "hold" and len(words) >= 3 and words[1] == "for":
        return Act(op="hold", role=words[2], text=note)
    if head == "account" and len(words) >= 3 and words[1] == "for":
        return Act(op="account", roles=names(words[2:]))
    if head == "clear" and len(words) >= 2 and words[1] == "area":
        return Act(op="clear_area", text=note)
    if head == "wait":
        return Act(op="wait")
    rest = words[1:]
    at = None
    to: tuple[str, ...] = ()
    if "at" in rest:
        i = rest.index("at")
        at = parse_value(" ".join(rest[i + 1:]))
        rest = rest[:i]
    for prep in ("to", "on"):
        if prep in rest:
            i = rest.index(prep)
            to = names(rest[i + 1:])
            rest = rest[:i]
    written = names(rest)
    targets = tuple(w.split(".")[0] for w in written)
    if not targets:
        raise ValueError(f"`{head}` needs the equipment it acts on")
    return Act(op="do", verb=head, targets=targets, to=to, at=at,
               refs=written if any("." in w for w in written) else ())


_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def parse_value(text: str) -> m.Quantity | str | float:
    """The value of `at`: ``80 %`` or ``4 L`` (a quantity of the type its unit says), a
    bare number (``3``), or a name (``off``); an unknown unit is a ValueError."""
    from ..semantics import units

    mt = _NUMBER.match(text)
    if mt is None:
        return text
    number, unit = float(mt.group(1)), mt.group(2) or None
    if unit is None:
        return number
    kind = units.percent_kind(unit)
    for type_name in ([kind] if kind else list(units.DIMENSIONS)):
        try:
            meas = units.convert(number, unit, type_name)
        except ValueError:
            continue
        return m.Quantity(si=meas.si, si_unit=meas.si_unit, dimension=type_name,
                          value=number, unit=unit)
    raise ValueError(f"`{unit}` in `at {text}` is not a unit twinlang knows")


@dataclass(frozen=True)
class Verify:
    """A second person verifies a step (the step's `verified_by`)."""

    step: str


@dataclass(frozen=True)
class TraceLine:
    t: float
    by: str | None
    act: Act | None = None
    choose: str | None = None
    hint: bool = False
    verify: str | None = None     # the step a second person verifies (`verified_by`)
    line: int = 0


@dataclass
class Trace:
    lines: list[TraceLine] = field(default_factory=list)


def load_trace(path: str | Path, bundle: m.Bundle) -> Trace:
    """Read and check a trace file against the bundle; raise :class:`TraceError`."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TraceError(f"cannot read trace `{path}`: {exc}") from None
    return parse_trace(raw, bundle, name=str(path))


def parse_trace(text: str, bundle: m.Bundle, name: str = "<trace>") -> Trace:
    equipment = {e.id: e for e in bundle.equipment}
    roles = {r.id for r in bundle.roles}
    verifiable = {n.id for p in bundle.procedures for n in p.graph.nodes
                  if n.kind == "step" and n.verified_by is not None}
    problems: list[str] = []
    out: list[TraceLine] = []
    last_t = 0.0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{name}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{where}: expected a JSON object")
            continue
        t = obj.get("t")
        if not isinstance(t, int | float) or isinstance(t, bool) or t != t or t < 0:
            problems.append(f"{where}: `t` must be a time in seconds, 0 or more")
            continue
        if t < last_t:
            problems.append(f"{where}: time goes backwards ({t} s after {last_t} s)")
            continue
        last_t = float(t)
        by = obj.get("by")
        if by is not None and by not in roles:
            problems.append(f"{where}: unknown role `{by}` (roles: {', '.join(sorted(roles))})")
            continue
        if "choose" in obj:
            out.append(TraceLine(float(t), by, choose=str(obj["choose"]), line=n))
            continue
        if obj.get("hint"):
            out.append(TraceLine(float(t), by, hint=True, line=n))
            continue
        if "verify" in obj:
            step = obj["verify"]
            if not isinstance(step, str) or step not in verifiable:
                problems.append(f"{where}: `verify` names a step with `verified_by`; "
                                + (f"`{step}` is not one (steps to verify: "
                                   + (", ".join(sorted(verifiable)) or "none") + ")"))
                continue
            out.append(TraceLine(float(t), by, verify=step, line=n))
            continue
        if not isinstance(obj.get("action"), str):
            problems.append(f"{where}: each line needs `action`, `choose`, `verify` or `hint`")
            continue
        try:
            act = parse_action(obj["action"])
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        for tag in (*act.targets, *(x.split(".")[0] for x in act.to)):
            if tag not in equipment:
                problems.append(f"{where}: unknown equipment `{tag}`")
        for ref in (*act.to, *act.refs):
            tag, _, state = ref.partition(".")
            eq = equipment.get(tag)
            if state and eq is not None and state not in {s.name for s in eq.states}:
                problems.append(f"{where}: `{tag}` ({eq.kind}) has no state `{state}`; it has "
                                + ", ".join(s.name for s in eq.states))
        if act.op == "apply" and act.device == "lock":
            for tag in act.targets:
                eq = equipment.get(tag)
                if eq is not None and not eq.lockable:
                    problems.append(f"{where}: `{tag}` ({eq.kind}) cannot take a lock")
        if act.op == "do":
            for tag in act.targets:
                eq = equipment.get(tag)
                if eq is not None and act.verb not in eq.actions:
                    problems.append(f"{where}: `{tag}` ({eq.kind}) does not accept "
                                    f"`{act.verb}`; it accepts {', '.join(eq.actions)}")
        for role in (act.role, *act.roles):
            if role is not None and role not in roles:
                problems.append(f"{where}: unknown role `{role}`")
        out.append(TraceLine(float(t), by, act=act, line=n))
    if problems:
        shown = problems[:20]
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise TraceError("the trace cannot be played:\n" + "\n".join(shown) + more)
    return Trace(out)
