"""The grammar: it builds in Lark's strict mode, and every construct parses to the AST it
should, whatever the line endings, comments, separators and Unicode around it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lark import Lark

from twinlang import ast
from twinlang.syntax import parse_bytes, parse_text
from twinlang.syntax.parser import get_parser, grammar_text

CORPUS = Path(__file__).parent / "corpus"


def parse_ok(text: str) -> ast.Module:
    module, diags = parse_text(text, "t.twin")
    assert diags == [], [(d.code, d.span.line, d.message) for d in diags]
    assert module is not None
    return module


def only(text: str):
    (item,) = parse_ok(text).items
    return item


def proc_body(body: str) -> tuple:
    return only("procedure p {\n" + body + "\n}\n").body


def step(line: str) -> ast.Step:
    (s,) = proc_body("  " + line)
    assert isinstance(s, ast.Step)
    return s


def condition(text: str) -> ast.Condition:
    (e,) = step(f"step s: open A expect {text}").expects
    return e.condition


# ---------------------------------------------------------------- the grammar itself


def test_grammar_builds_in_strict_mode():
    # strict mode refuses shift/reduce conflicts and terminals that can match the same text
    import interegular  # noqa: F401 - strict mode needs it for the collision check

    Lark(grammar_text(), parser="lalr", lexer="contextual", strict=True)


def test_parser_is_built_once():
    assert get_parser() is get_parser()


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.twin")), ids=lambda p: p.name)
def test_corpus_parses_without_diagnostics(path):
    module = parse_ok(path.read_text(encoding="utf-8"))
    assert module.items


# ---------------------------------------------------------------- layout


def test_empty_and_comment_only_sources_are_empty_modules():
    assert parse_ok("").items == ()
    assert parse_ok("\n\n  \n").items == ()
    assert parse_ok("# only a comment").items == ()
    assert parse_ok("# one\n\n   # two\n# three\n").items == ()


def test_comments_everywhere():
    text = (
        "# file comment\n"
        "equipment V-1 is GateValve {   # after the brace\n"
        "  # own line inside a block\n"
        "  size = 2 in   # end of line\n"
        "\n"
        "  # before the closing brace\n"
        "}  # after the closing brace\n"
        "# between items\n"
        "procedure p {\n"
        "  step s: open V-1  # after a step\n"
        "  if V-1.open {  # after if\n"
        "    # inside if\n"
        "    step t: close V-1\n"
        "  } else {  # after else\n"
        "  }\n"
        "}\n"
        "# at the end, no newline"
    )
    eq, proc = parse_ok(text).items
    assert [p.name.name for p in eq.params] == ["size"]
    assert [type(i).__name__ for i in proc.body] == ["Step", "If"]


def test_semicolons_separate_statements():
    eq, r1, r2 = parse_ok(
        'equipment M-1 is Motor { rated_power = 7.5 kW; coast_down = 25 s; }\n'
        'role a "A"; role b;\n').items
    assert [p.name.name for p in eq.params] == ["rated_power", "coast_down"]
    assert (r1.name.name, r1.title, r2.name.name, r2.title) == ("a", "A", "b", None)
    assert len(proc_body("  step a: open A; step b: close A;; step c: open B")) == 3


def test_leading_and_trailing_separators():
    assert len(parse_ok(";\n\n;role a\n;\n").items) == 1


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"], ids=["crlf", "cr", "lf"])
def test_line_endings_are_normalised(newline):
    text = newline.join(["role a \"A\"", "equipment V-1 is GateValve {", "  size = 2 in", "}", ""])
    module, diags, source = parse_bytes(text.encode(), "t.twin")
    assert diags == [] and module is not None
    assert "\r" not in source.text
    eq = module.items[1]
    assert (eq.params[0].span.line, eq.params[0].span.column) == (3, 3)


def test_byte_order_mark_is_ignored():
    module, diags, source = parse_bytes(b"\xef\xbb\xbfrole a \"A\"\r\n", "t.twin")
    assert diags == []
    (role,) = module.items
    assert (role.span.line, role.span.column, role.span.start) == (1, 1, 0)
    assert not source.text.startswith("\ufeff")


def test_tabs_and_form_feeds_are_blanks():
    eq = only("equipment\tV-1\tis GateValve {\n\tsize\t=\t2\tin\n\f}\n")
    assert eq.params[0].value.unit == "in"


def test_spans_are_one_based_code_points():
    eq = only('# Ω comment\nequipment V-1 "Ωmega valve" is GateValve\n')
    assert (eq.span.line, eq.span.column) == (2, 1)
    assert (eq.kind.span.line, eq.kind.span.column) == (2, 32)
    assert eq.title == "Ωmega valve"


# ---------------------------------------------------------------- values


def _param(value: str):
    eq = only(f"equipment E-1 is K {{ p = {value} }}\n")
    return eq.params[0].value


@pytest.mark.parametrize(("text", "number", "unit"), [
    ("40 N*m", 40.0, "N*m"),
    ("2 L/min", 2.0, "L/min"),
    ("3 m^3", 3.0, "m^3"),
    ("10 % LEL", 10.0, "% LEL"),
    ("5 % LFL", 5.0, "% LFL"),
    ("20.9 % vol", 20.9, "% vol"),
    ("60 %", 60.0, "%"),
    ("25 degC", 25.0, "degC"),
    ("25 °C", 25.0, "°C"),
    ("6.2 cal/cm^2", 6.2, "cal/cm^2"),
    ("2 m^-1", 2.0, "m^-1"),
    ("2in", 2.0, "in"),
    ("-5 degC", -5.0, "degC"),
    ("+3 bar", 3.0, "bar"),
    ("1.5e5 Pa", 1.5e5, "Pa"),
    ("2.5E-3 m", 2.5e-3, "m"),
    ("8", 8.0, None),
    ("0.25", 0.25, None),
])
def test_quantities(text, number, unit):
    value = _param(text)
    assert isinstance(value, ast.QuantityValue)
    assert value.number == pytest.approx(number)
    assert value.unit == unit
    assert value.text == re.match(r"[+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?", text).group(0)


def test_percent_base_without_a_space_is_read():
    assert _param("10 %LEL").unit in ("%LEL", "% LEL")


def test_quantity_keeps_the_number_as_written_and_the_unit_span():
    value = _param("1.50 kW")
    assert value.text == "1.50"
    assert value.unit_span is not None and value.unit_span.column == value.span.column + 5


def test_other_values():
    assert _param("true") == ast.BoolValue(span=_param("true").span, value=True)
    assert _param("false").value is False
    assert _param("soft").name == "soft"
    assert _param('"two inches"').value == "two inches"


@pytest.mark.parametrize(("raw", "value"), [
    (r'"a \"quoted\" word"', 'a "quoted" word'),
    (r'"back\\slash"', "back\\slash"),
    (r'"two\nlines"', "two\nlines"),
    (r'"tab\there"', "tab\there"),
    (r'"ohm \u{2126}"', "ohm \u2126"),
    (r'"emoji \u{1F6A7}"', "emoji \U0001f6a7"),
    ('"Ünïcödé ≥ 5 °C, 20 µm, 50 Ω"', "Ünïcödé ≥ 5 °C, 20 µm, 50 Ω"),
    ('"# not a comment { }"', "# not a comment { }"),
    ('""', ""),
])
def test_string_escapes_and_unicode(raw, value):
    assert only(f"role r {raw}\n").title == value


@pytest.mark.parametrize("tag", ["V-101", "P-101A", "DS-12", "ACC-3", "M_12", "_x", "a-b-c"])
def test_plant_tags_are_names(tag):
    eq = only(f"equipment {tag} is GateValve {{ feeds {tag}.out }}\n")
    assert eq.name.name == tag
    assert eq.feeds[0].text == f"{tag}.out"


def test_keywords_are_names_where_only_a_name_fits():
    # the contextual lexer reads a keyword as a name where no keyword could stand
    assert only("equipment step is Motor\n").name.name == "step"
    assert step("step expect: open V-1").name.name == "expect"
    alarm = proc_body("  on alarm A.p > 5 bar during work -> goto bleed")[0]
    assert [d.name for d in alarm.during] == ["work"]


# ---------------------------------------------------------------- header, modules, roles


def test_scenario_header():
    h = only('scenario "Lockout" {\n  id loto-c12\n  version 2\n  risk high\n'
             '  site "Hall 1"\n  description "d"\n}\n')
    assert (h.title, h.id.name, h.version, h.risk.name, h.site, h.description) == (
        "Lockout", "loto-c12", "2", "high", "Hall 1", "d")
    assert only('scenario "S" { version "1.0-rc" }\n').version == "1.0-rc"


def test_module_declaration():
    assert only('module "Plant model"\n').title == "Plant model"


def test_use_forms():
    u = only("use stdlib.equipment.{Motor, GateValve as Valve,\n  Pump,\n}\n")
    assert [p.name for p in u.path] == ["stdlib", "equipment"]
    assert [(n.name.name, n.alias.name if n.alias else None) for n in u.names] == [
        ("Motor", None), ("GateValve", "Valve"), ("Pump", None)]
    assert u.names[1].local.name == "Valve"
    star = only("use plant.area3.*\n")
    assert star.star and star.dotted == "plant.area3" and star.names == ()


def test_roles():
    a, b, c = parse_ok('role a "A" { qualified }\nrole b {\n  description "d"\n}\nrole c\n').items
    assert (a.title, a.qualified, b.description, c.title, c.qualified) == ("A", True, "d", None,
                                                                        False)


def test_allow():
    a = only('allow TW0501 because "checked by hand"\n')
    assert (a.code, a.reason, a.code_span.column) == ("TW0501", "checked by hand", 7)


# ---------------------------------------------------------------- kinds, equipment, chemistry


def test_kind():
    k = only('kind Valve "Gate valve" {\n'
             '  description "d"\n'
             '  param size: length = 2 in range 0.25 in .. 48 in doc "nominal size"\n'
             '  param seat: choice(soft, metal) = soft\n'
             '  param torque: torque\n'
             '  state position: fraction = 100 % doc "open"\n'
             '  state leaking: boolean\n'
             '  stores hydraulic\n  transmits hydraulic, pneumatic\n'
             '  isolates hydraulic\n  action open, close,\n    inspect\n'
             '  lockable\n  control_device\n}\n')
    size, seat, torque = k.params
    assert (size.type.name.name, size.default.number, size.low.number, size.high.number,
            size.doc) == ("length", 2.0, 0.25, 48.0, "nominal size")
    assert [c.name for c in seat.type.choices] == ["soft", "metal"]
    assert seat.default.name == "soft" and torque.default is None
    pos, leaking = k.states
    assert (pos.initial.unit, pos.doc, leaking.initial) == ("%", "open", None)
    assert [n.name for n in k.actions] == ["open", "close", "inspect"]
    assert [n.name for n in k.transmits] == ["hydraulic", "pneumatic"]
    assert (k.lockable, k.control_device, k.title, k.description) == (True, True, "Gate valve",
                                                                      "d")


def test_equipment():
    e = only('equipment V-31 "Valve" is GateValve {\n'
             '  size = 2 in\n  isolates ACC-3\n  feeds M-12, P-101A,\n    DS-12.line\n'
             '  located_in ROOM-1\n  contains water\n  at 1.5 m, -2 m, 0 m\n'
             '  description "d"\n}\n')
    assert (e.name.name, e.title, e.kind.name) == ("V-31", "Valve", "GateValve")
    assert [f.text for f in e.feeds] == ["M-12", "P-101A", "DS-12.line"]
    assert [r.text for r in e.isolates] == ["ACC-3"]
    assert e.located_in.text == "ROOM-1" and e.contains[0].text == "water"
    assert [v.number for v in e.position] == [1.5, -2.0, 0.0]
    assert only("equipment DS-12 is Disconnect\n").params == ()


def test_chemistry_and_energy_types():
    s, r1, r2, inc, e1, e2 = parse_ok(
        'substance acetone "Acetone" {\n  groups ketones, flammables\n'
        '  flash_point = -18 degC\n  description "d"\n}\n'
        'reactivity acids 1 "Acids"\nreactivity bases 10\n'
        "incompatible acids with bases: heat_generation, violent_reaction\n"
        'energy_type hydraulic "Hydraulic" stored\nenergy_type electrical\n').items
    assert [g.name for g in s.groups] == ["ketones", "flammables"]
    assert s.params[0].value.number == -18.0
    assert (r1.number, r1.title, r2.number, r2.title) == (1, "Acids", 10, None)
    assert (inc.first.name, inc.second.name, [c.name for c in inc.consequences]) == (
        "acids", "bases", ["heat_generation", "violent_reaction"])
    assert (e1.stored, e1.title, e2.stored) == (True, "Hydraulic", False)


# ---------------------------------------------------------------- faults and competencies


def test_faults():
    f = only("fault leak \"Seal leak\" on ACC-3.seal {\n"
             "  trigger at step isolate\n  trigger at time 2 min\n"
             "  trigger when ACC-3.pressure > 80 bar\n"
             "  trigger random probability 0.1 seed 42 every 30 s\n"
             "  effect stuck at 60 %\n  effect leak 0.5 L/min\n"
             "  effect drift ACC-3.pressure by 2 bar per 1 min\n  effect drift by 1 bar per 10 s\n"
             "  effect sensor_failure reading 0 bar\n  effect sensor_failure\n"
             "  effect lock_failure\n  effect alarm \"High\"\n"
             "  clears after 30 s\n  clears when ACC-3.pressure < 1 bar\n"
             "  clears on step bleed\n  clears never\n  description \"d\"\n}\n")
    assert f.target.text == "ACC-3.seal" and f.title == "Seal leak"
    assert [t.kind for t in f.triggers] == ["step", "time", "when", "random"]
    rnd = f.triggers[3]
    assert (rnd.probability.number, rnd.seed, rnd.every.unit) == (0.1, 42, "s")
    assert [e.kind for e in f.effects] == ["stuck", "leak", "drift", "drift", "sensor_failure",
                                           "sensor_failure", "lock_failure", "alarm"]
    assert f.effects[2].ref.text == "ACC-3.pressure" and f.effects[3].ref is None
    assert f.effects[2].per.unit == "min" and f.effects[4].value.unit == "bar"
    assert f.effects[7].message == "High"
    assert [c.kind for c in f.clears] == ["after", "when", "step", "never"]


def test_competency_and_profile():
    c, p = parse_ok(
        'competency loto "LOTO" {\n  assesses lockout, verify\n  risk high\n'
        "  based_on high_risk\n  valid_for 1 year\n  pass_score 80 %\n"
        "  sequence_accuracy >= 95 % weight 2 critical\n  critical_errors == 0 critical\n"
        "  step_time isolate <= 2 min weight 0.5\n"
        "  initial {\n    recovery_time <= 60 s\n  }\n"
        "  refresher {\n    recovery_time <= 90 s; completion_time <= 30 min\n  }\n}\n"
        'profile high "High" {\n  risk high\n  pass_score 90 %\n  valid_for 1 year\n'
        '  sequence_accuracy >= 98 %\n  description "d"\n}\n').items
    assert [a.name for a in c.assesses] == ["lockout", "verify"]
    assert (c.risk.name, c.based_on.name, c.valid_for.unit, c.pass_score.number) == (
        "high", "high_risk", "year", 80.0)
    acc, errs, st = c.thresholds
    assert (acc.metric.name, acc.op, acc.value.number, acc.weight, acc.critical) == (
        "sequence_accuracy", ">=", 95.0, 2.0, True)
    assert (errs.op, errs.critical, errs.weight) == ("==", True, None)
    assert (st.subject.name, st.weight) == ("isolate", 0.5)
    assert [t.metric.name for t in c.refresher] == ["recovery_time", "completion_time"]
    assert len(c.initial) == 1
    assert (p.risk.name, p.pass_score.number, len(p.thresholds), p.description) == (
        "high", 90.0, 1, "d")


# ---------------------------------------------------------------- procedures


def test_procedure_fields():
    p = only('procedure lockout "Lock out" {\n'
             "  performed_by authorized\n  roles authorized, affected,\n    supervisor\n"
             "  energy electrical from DS-12, hydraulic from ACC-3,\n"
             "    gravity from C-12.take_up\n"
             '  hazard crush "Crushing" class mechanical\n  hazard noise\n'
             '  permit hot_work "Hot work"\n  ppe gloves, "safety glasses",\n    helmet\n'
             "  boundary approach 1.2 m,\n    arc_flash 0.9 m\n  attendant observer\n"
             '  rescue "Call 112"\n  group_lockout\n  shift_change\n  description "d"\n'
             '  allow TW0502 because "r"\n}\n')
    assert p.performed_by.name == "authorized"
    assert [r.name for r in p.roles] == ["authorized", "affected", "supervisor"]
    assert [(e.energy.name, e.source.text) for e in p.energy] == [
        ("electrical", "DS-12"), ("hydraulic", "ACC-3"), ("gravity", "C-12.take_up")]
    assert [(h.name.name, h.title, h.hazard_class and h.hazard_class.name) for h in p.hazards] == [
        ("crush", "Crushing", "mechanical"), ("noise", None, None)]
    assert (p.permits[0].name.name, p.permits[0].title) == ("hot_work", "Hot work")
    assert [(i.text, i.quoted) for i in p.ppe] == [("gloves", False), ("safety glasses", True),
                                                   ("helmet", False)]
    assert [(b.name.name, b.value.number) for b in p.boundaries] == [("approach", 1.2),
                                                                     ("arc_flash", 0.9)]
    assert (p.attendant.name, p.rescue, p.group_lockout, p.shift_change) == (
        "observer", "Call 112", True, True)
    assert p.allows[0].code == "TW0502" and p.description == "d"
    assert only("procedure p {\n  rescue RESCUE-TEAM.on_call\n}\n").rescue.text == (
        "RESCUE-TEAM.on_call")


@pytest.mark.parametrize(("line", "op", "check"), [
    ('notify affected "Shut down"', "notify", lambda a: (a.role.name, a.text) == ("affected",
                                                                              "Shut down")),
    ("communicate supervisor", "communicate", lambda a: a.role.name == "supervisor"),
    ('work "Replace belt" for 20 min', "work", lambda a: a.duration.unit == "min"),
    ('work "Inspect"', "work", lambda a: a.duration is None),
    ("wait 5 min", "wait", lambda a: a.duration.number == 5),
    ("wait until M.speed == 0 rpm within 2 min", "wait_until",
     lambda a: a.within.unit == "min" and a.condition.op == "=="),
    ('record "verified"', "record", lambda a: a.text == "verified"),
    ("record M-12.speed", "record", lambda a: a.targets[0].text == "M-12.speed"),
    ("apply lock to DS-12, V-31", "apply",
     lambda a: a.device.name == "lock" and [t.text for t in a.targets] == ["DS-12", "V-31"]),
    ("remove tag from DS-12", "remove", lambda a: a.device.name == "tag"),
    ("issue permit hot_work", "permit_issue", lambda a: a.permit.name == "hot_work"),
    ("sign permit hot_work", "permit_sign", lambda a: a.permit.name == "hot_work"),
    ("revoke permit hot_work", "permit_revoke", lambda a: a.permit.name == "hot_work"),
    ('hold for supervisor "sign-off"', "hold", lambda a: a.role.name == "supervisor"),
    ("account for authorized, affected", "account",
     lambda a: [r.name for r in a.roles] == ["authorized", "affected"]),
    ('clear area "Stand clear"', "clear_area", lambda a: a.text == "Stand clear"),
    ("clear area", "clear_area", lambda a: a.text is None),
    ("press M-12.stop", "do", lambda a: (a.verb.name, a.targets[0].text) == ("press",
                                                                           "M-12.stop")),
    ("close V-31 to ACC-3", "do", lambda a: a.to[0].text == "ACC-3" and a.preposition == "to"),
    ("measure GD-1.oxygen on ACC-3", "do", lambda a: a.preposition == "on"),
    ("turn V-31 at 50 %", "do", lambda a: a.at.unit == "%"),
])
def test_actions(line, op, check):
    (action,) = step(f"step s: {line}").actions
    assert action.op == op
    assert check(action)


def test_action_chain_and_clauses():
    s = step('step s "Title": open A and close B expect A.x < 1 bar within 10 s '
             'requires B.y == 0 critical performed_by a verified_by b hint "h" warning "w" '
             'note "n"')
    assert s.title == "Title" and s.one_line
    assert [a.verb.name for a in s.actions] == ["open", "close"]
    assert s.expects[0].within.number == 10 and s.requires[0].op == "=="
    assert (s.critical, s.performed_by.name, s.verified_by.name) == (True, "a", "b")
    assert (s.hints, s.warnings, s.notes) == (("h",), ("w",), ("n",))


def test_step_block():
    (s,) = proc_body("  step s {\n    open A\n    close B and open C\n"
                     "    expect A.x == 1\n    critical\n  }")
    assert not s.one_line
    assert [a.verb.name for a in s.actions] == ["open", "close", "open"]
    assert s.critical and len(s.expects) == 1


def test_flow_items():
    par, par2, cond, ch, a1, a2, a3, call, g, r, ab, ab2 = proc_body(
        '  parallel both {\n    branch a "A" {\n      step x: open A\n    }\n'
        "    branch b {\n      call verify\n    }\n  }\n"
        "  parallel {\n    branch only {\n    }\n  }\n"
        "  if A.x > 1 bar {\n    step y: open B\n  } else {\n    goto x\n  }\n"
        '  choose "Guard removed?" {\n    option "yes" {\n      step g: inspect G\n    }\n'
        '    option "no" {\n      abort "fitted"\n    }\n  }\n'
        "  on alarm A.p > 5 bar during x, y -> goto x up to 3 times\n"
        "  on alarm M.speed > 0 rpm -> abort\n"
        '  on alarm G.lel >= 10 % LEL {\n    step e: notify a "Evacuate"\n    resume\n  }\n'
        '  call verify\n  goto x\n  resume\n  abort "stopped"\n  abort')
    assert (par.name.name, [b.name.name for b in par.branches]) == ("both", ["a", "b"])
    assert par.branches[0].title == "A" and isinstance(par.branches[1].body[0], ast.Call)
    assert par2.name is None
    assert len(cond.then) == 1 and cond.otherwise[0].op == "goto"
    assert ch.prompt == "Guard removed?" and [o.label for o in ch.options] == ["yes", "no"]
    assert a1.arrow and [d.name for d in a1.during] == ["x", "y"]
    assert (a1.body[0].op, a1.body[0].target.name, a1.body[0].bound) == ("goto", "x", 3)
    assert a2.body[0].op == "abort" and not a3.arrow and len(a3.body) == 2
    assert call.target.name == "verify" and g.target.name == "x" and g.bound is None
    assert r.op == "resume" and ab.reason == "stopped" and ab2.reason is None
    (plain,) = proc_body("  if A {\n  }")
    assert plain.otherwise is None


def test_condition_precedence():
    c = condition("A or B and not C")
    assert isinstance(c, ast.Or) and isinstance(c.right, ast.And)
    assert isinstance(c.right.right, ast.Not)
    c = condition("(A or B) and C")
    assert isinstance(c, ast.And) and isinstance(c.left, ast.Or)
    c = condition("A and B and C")
    assert isinstance(c, ast.And) and isinstance(c.left, ast.And)


def test_condition_atoms():
    assert condition("M-12.speed <= 0.1 rpm").op == "<="
    assert {condition(f"A {op} 1").op for op in ("<", "<=", ">", ">=", "==", "!=")} == {
        "<", "<=", ">", ">=", "==", "!="}
    b = condition("A.t between 10 degC and 20 degC")
    assert isinstance(b, ast.Between) and (b.low.number, b.high.number) == (10, 20)
    i = condition("DS-12.handle is off")
    assert isinstance(i, ast.IsState) and i.state.name == "off"
    r = condition("bleed")
    assert isinstance(r, ast.RefCondition) and r.ref.text == "bleed"
    assert condition("A.mode == manual").value.name == "manual"
    assert condition('A.label == "x"').value.value == "x"
    assert condition("A.on == true").value.value is True


# ---------------------------------------------------------------- coverage of the grammar


def _tree_names(text: str) -> set[str]:
    return {str(t.data) for t in get_parser().parse(text).iter_subtrees()}


def test_corpus_exercises_every_rule_of_the_grammar():
    """Every named rule and alternative appears in a parse of the corpus.

    When the grammar grows, this fails until the corpus (and the tests above) show the
    new construct.
    """
    expected = set()
    for rule in get_parser().rules:
        name = str(rule.alias or rule.origin.name)
        if name.startswith("_") or (rule.options.expand1 and not rule.alias):
            continue  # inlined: never a node of its own
        expected.add(name)
    seen: set[str] = set()
    for path in CORPUS.glob("*.twin"):
        seen |= _tree_names(path.read_text(encoding="utf-8"))
    assert expected - seen == set()
