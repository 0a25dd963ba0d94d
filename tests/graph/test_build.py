"""The step-graph builder: one construct at a time, the structural diagnostics, and
procedures large or deep enough to break a recursive implementation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from twinlang import ast
from twinlang.diagnostics import DiagnosticSink
from twinlang.graph import build as build_module
from twinlang.graph.build import build_graph
from twinlang.graph.model import ABORT, END, START
from twinlang.graph.structure import check_structure
from twinlang.semantics import check_program

HEADER = """\
scenario "Builder test" {
  id builder-test
  risk low
}
role operator "Operator"
role supervisor "Supervisor"
"""


def build(tmp_path: Path, body: str, *, extra: str = ""):
    """Build procedure `p` with ``body`` (``extra`` declares more before it); return the
    graph and the codes of every diagnostic (checks, build and structure)."""
    path = tmp_path / "case.twin"
    path.write_text(HEADER + extra + '\nprocedure p "Test" {\n'
                    f"  performed_by operator\n{body}\n}}\n", encoding="utf-8")
    sink = DiagnosticSink()
    program = check_program([path], sink, {})
    module = program.roots[0]
    (proc,) = [i for i in module.ast.items if isinstance(i, ast.Procedure) and i.name.name == "p"]
    sg = build_graph(proc, module, sink)
    sink.extend(check_structure(sg))
    return sg, [d.code for d in sink]


def edges(sg, kind=None) -> set[tuple[str, str]]:
    return {(u, v) for u, v, d in sg.graph.edges(data=True) if kind is None or d["kind"] == kind}


def kinds(sg) -> dict[str, str]:
    return {n: d["kind"] for n, d in sg.graph.nodes(data=True)}


def node_of(sg, kind: str) -> list[str]:
    return [n for n, d in sg.graph.nodes(data=True) if d["kind"] == kind]


# ------------------------------------------------------------------ constructs


def test_sequence(tmp_path):
    sg, codes = build(tmp_path, '  step a: record "a"\n  step b: record "b"\n'
                      '  step c: record "c"')
    assert codes == []
    assert edges(sg) == {(START, "a"), ("a", "b"), ("b", "c"), ("c", END)}
    assert set(edges(sg, "next")) == edges(sg)
    assert sg.steps() == ["a", "b", "c"]
    data = sg.node("b")
    assert (data["name"], data["procedure"], data["performer"]) == ("b", "p", "operator")
    assert data["span"].line == HEADER.count("\n") + 5


def test_step_data_roles_and_critical(tmp_path):
    sg, _ = build(tmp_path, '  step a "Alpha": record "a" performed_by supervisor '
                  "verified_by operator critical")
    data = sg.node("a")
    assert data["title"] == "Alpha"
    assert (data["performer"], data["verifier"], data["critical"]) == \
        ("supervisor", "operator", True)
    assert sg.roles[0] == "operator"


def test_if_else(tmp_path):
    sg, codes = build(tmp_path, '  step a: record "a"\n  if a {\n    step b: record "b"\n'
                      '  } else {\n    step c: record "c"\n  }\n  step d: record "d"')
    assert codes == []
    (d,) = node_of(sg, "if")
    assert edges(sg, "branch") == {(d, "b")}
    assert edges(sg, "else") == {(d, "c")}
    assert {("a", d), ("b", "d"), ("c", "d")} <= edges(sg, "next")
    assert sg.graph.edges[d, "b"]["condition"] is not None


def test_if_without_else_continues(tmp_path):
    sg, _ = build(tmp_path, '  step a: record "a"\n  if a {\n    step b: record "b"\n  }\n'
                  '  step d: record "d"')
    (d,) = node_of(sg, "if")
    assert edges(sg, "else") == {(d, "d")}


def test_choose(tmp_path):
    sg, codes = build(tmp_path, '  choose "Which valve?" {\n'
                      '    option "north" { step n: record "n" }\n'
                      '    option "south" { step s: record "s" }\n  }\n  step z: record "z"')
    assert codes == []
    (c,) = node_of(sg, "choose")
    assert sg.node(c)["prompt"] == "Which valve?"
    options = {(v, d["option"]) for _, v, d in sg.graph.out_edges(c, data=True)}
    assert options == {("n", "north"), ("s", "south")}
    assert {("n", "z"), ("s", "z")} <= edges(sg, "next")


def test_parallel_fork_join(tmp_path):
    sg, codes = build(tmp_path, '  parallel {\n'
                      '    branch left { step l1: record "l1"\n step l2: record "l2" }\n'
                      '    branch right { step r: record "r" }\n  }\n  step z: record "z"')
    assert codes == []
    (fork,), (join,) = node_of(sg, "fork"), node_of(sg, "join")
    assert sg.node(fork)["join"] == join and sg.node(join)["fork"] == fork
    branches = {(v, d["branch"]) for _, v, d in sg.graph.out_edges(fork, data=True)}
    assert branches == {("l1", "left"), ("r", "right")}
    assert {("l2", join), ("r", join), (join, "z")} <= edges(sg, "next")
    assert sg.node("l1")["region"] != sg.node("r")["region"]
    assert sg.node("z")["region"] == ()


def test_alarm_during(tmp_path):
    sg, codes = build(tmp_path, '  step a: record "a"\n  step w: wait 5 min\n'
                      '  on alarm a during w {\n    step h: record "h"\n    resume\n  }')
    assert codes == []
    (alarm,) = node_of(sg, "alarm")
    assert edges(sg, "alarm") == {("w", alarm)}
    assert (alarm, "h") in edges(sg, "next")
    resume = alarm + ":resume"
    assert kinds(sg)[resume] == "resume"
    assert ("h", resume) in edges(sg, "next")
    assert edges(sg, "resume") == {(resume, "w")}


def test_alarm_without_during_covers_every_step(tmp_path):
    sg, codes = build(tmp_path, '  step a: record "a"\n  step b: record "b"\n'
                      '  on alarm a {\n    step h: record "h"\n    abort "stop"\n  }')
    assert codes == []
    (alarm,) = node_of(sg, "alarm")
    # every step of the procedure, the handler's own included
    assert {u for u, _ in edges(sg, "alarm")} == {"a", "b", "h"}
    assert ("h", ABORT) in edges(sg, "next")
    assert alarm + ":resume" not in sg.graph  # no `resume`: no resume node


def test_alarm_arrow_goto(tmp_path):
    sg, codes = build(tmp_path, '  step a: record "a"\n  step w: wait 5 min\n'
                      "  on alarm a during w -> goto a up to 3 times")
    assert codes == []
    (alarm,), (goto,) = node_of(sg, "alarm"), node_of(sg, "goto")
    assert (alarm, goto) in edges(sg, "next")
    assert sg.graph.edges[goto, "a"] == {"kind": "goto", "bound": 3}
    # a handler ends there: when the retries are used up, it stops safely
    assert sg.graph.edges[goto, ABORT].get("exhausted") is True


def test_goto_with_bound(tmp_path):
    sg, codes = build(tmp_path, '  step a: record "a"\n  step b: record "b"\n'
                      '  goto a up to 2 times\n  step c: record "c"')
    assert codes == []
    (goto,) = node_of(sg, "goto")
    data = sg.node(goto)
    assert (data["target"], data["bound"]) == ("a", 2)
    assert sg.graph.edges[goto, "a"]["bound"] == 2
    assert sg.graph.edges[goto, "c"]["exhausted"] is True
    assert ("b", goto) in edges(sg, "next")


def test_abort(tmp_path):
    sg, codes = build(tmp_path, '  step a: record "a"\n  if a {\n    abort "unsafe"\n  }\n'
                      '  step b: record "b"')
    assert codes == []
    (d,) = node_of(sg, "if")
    assert sg.graph.edges[d, ABORT]["kind"] == "branch"
    assert sg.graph.out_degree(ABORT) == 0 and sg.graph.out_degree(END) == 0


def test_call_expansion(tmp_path):
    extra = ('\nprocedure release "Release" {\n  performed_by supervisor\n'
             '  step unlock: record "u"\n  step tell: record "t"\n}\n')
    sg, codes = build(tmp_path, '  step a: record "a"\n  call release\n  step b: record "b"\n'
                      "  call release", extra=extra)
    assert codes == []
    ids = [n for n in sg.steps() if "/" in n]
    assert sorted(ids) == ["release#1/tell", "release#1/unlock", "release#2/tell",
                           "release#2/unlock"]
    one = sg.node("release#1/unlock")
    assert (one["name"], one["procedure"], one["performer"]) == ("unlock", "release",
                                                                  "supervisor")
    assert one["label"] == "release#1/unlock"
    # the two expansions are chained in source order, whatever their numbers
    first = next(v for u, v in edges(sg, "next") if u == "a")
    second = next(v for u, v in edges(sg, "next") if u == "b")
    assert {first, second} == {"release#1/unlock", "release#2/unlock"}
    assert (first.split("/")[0] + "/tell", "b") in edges(sg, "next")
    assert (second.split("/")[0] + "/tell", END) in edges(sg, "next")


def test_call_inherits_the_callers_performer(tmp_path):
    extra = '\nprocedure sub "Sub" {\n  step s: record "s"\n}\n'
    sg, _ = build(tmp_path, '  call sub', extra=extra)
    assert sg.node("sub#1/s")["performer"] == "operator"


# ------------------------------------------------------------------ structural diagnostics


def test_recursive_call_reported(tmp_path):
    sg, codes = build(tmp_path, '  step a: record "a"\n  call p')
    assert "TW0506" in codes
    assert sg.steps() == ["a"]


def test_mutual_recursion_reported(tmp_path):
    extra = '\nprocedure q "Q" {\n  step b: record "b"\n  call p\n}\n'
    _, codes = build(tmp_path, '  step a: record "a"\n  call q', extra=extra)
    assert "TW0506" in codes


def test_unreachable(tmp_path):
    _, codes = build(tmp_path, '  step a: record "a"\n  abort "done"\n  step b: record "b"')
    assert codes == ["TW0501"]


def test_dead_end(tmp_path):
    _, codes = build(tmp_path, '  step a: record "a"\n  step b: record "b"\n  goto a')
    assert codes == ["TW0502"]


def test_unbounded_loop(tmp_path):
    _, codes = build(tmp_path, '  step a: record "a"\n  if a {\n    goto a\n  }\n'
                     '  step b: record "b"')
    assert codes == ["TW0503"]


def test_bounded_loop_is_fine(tmp_path):
    _, codes = build(tmp_path, '  step a: record "a"\n  if a {\n    goto a up to 3 times\n'
                     '  }\n  step b: record "b"')
    assert codes == []


@pytest.mark.parametrize("body", [
    # into a branch
    '  step a: record "a"\n  goto r up to 2 times\n  parallel {\n'
    '    branch x { step r: record "r" }\n    branch y { step s: record "s" }\n  }',
    # out of a branch
    '  step a: record "a"\n  parallel {\n    branch x { step r: record "r"\n'
    '      goto a up to 2 times }\n    branch y { step s: record "s" }\n  }',
    # from one branch to the other
    '  parallel {\n    branch x { step r: record "r"\n      goto s up to 2 times }\n'
    '    branch y { step s: record "s" }\n  }',
])
def test_goto_across_parallel(tmp_path, body):
    _, codes = build(tmp_path, body)
    assert "TW0504" in codes


def test_goto_within_a_branch_is_fine(tmp_path):
    _, codes = build(tmp_path, '  parallel {\n    branch x { step r: record "r"\n'
                     '      if r { goto r up to 2 times }\n      step r2: record "r2" }\n'
                     '    branch y { step s: record "s" }\n  }')
    assert codes == []


def test_handler_without_exit(tmp_path):
    sg, codes = build(tmp_path, '  step a: record "a"\n  on alarm a during a {\n'
                      '    step h: record "h"\n  }')
    assert codes == ["TW0505"]
    (alarm,) = node_of(sg, "alarm")
    assert sg.node(alarm)["no_exit"] is True


def test_resume_outside_handler(tmp_path):
    _, codes = build(tmp_path, '  step a: record "a"\n  resume')
    assert "TW0508" in codes


# ------------------------------------------------------------------ size and depth


def _timed(tmp_path, body, extra="", limit=60.0):
    t0 = time.perf_counter()
    sg, codes = build(tmp_path, body, extra=extra)
    elapsed = time.perf_counter() - t0
    assert elapsed < limit, f"took {elapsed:.1f} s"
    return sg, codes


def test_five_thousand_steps(tmp_path):
    body = "\n".join(f'  step s{i}: record "{i}"' for i in range(5000))
    sg, codes = _timed(tmp_path, body)
    assert codes == []
    assert len(sg.steps()) == 5000
    assert sg.graph.has_edge("s4999", END)


def test_nesting_sixty_levels(tmp_path):
    depth = 60  # with the procedure's own block, 61 of the 64 levels a file may nest
    lines = ['  step s0: record "0"']
    lines += [f'  if s0 {{ step a{i}: record "{i}"' for i in range(1, depth + 1)]
    sg, codes = _timed(tmp_path, "\n".join(lines + ["  }"] * depth))
    assert codes == []
    assert len(sg.steps()) == depth + 1
    assert len(node_of(sg, "if")) == depth
    # the innermost step continues, through every level, to the end
    assert sg.graph.has_edge(f"a{depth}", END)


def test_nested_mixed_constructs(tmp_path):
    depth = 30  # `choose`/`option` and `parallel`/`branch` take two levels each
    lines, closing = ['  step s0: record "0"'], []
    for i in range(1, depth + 1):
        if i % 3 == 0:
            lines.append(f'  if s0 {{ step a{i}: record "{i}"')
            closing.append("  }")
        elif i % 3 == 1:
            lines.append(f'  choose "c{i}" {{ option "o" {{ step a{i}: record "{i}"')
            closing.append("  } }")
        else:
            lines.append(f'  parallel {{ branch b{i} {{ step a{i}: record "{i}"')
            closing.append(f'  }}\n  branch c{i} {{ step x{i}: record "x" }}\n  }}')
    body = "\n".join(lines + closing[::-1])
    sg, codes = _timed(tmp_path, body)
    assert codes == []
    forks = node_of(sg, "fork")
    assert len(forks) == len(node_of(sg, "join")) == depth // 3
    assert len(sg.steps()) == depth + 1 + len(forks)
    assert all(sg.graph.out_degree(f) == 2 for f in forks)


def test_deep_nesting_through_calls(tmp_path):
    """15 nested calls (the most allowed below the call-depth limit) of procedures nested
    59 blocks deep: expanded completely, without a RecursionError."""
    depth, levels = 59, 15
    extra = ""
    for lv in range(1, levels + 1):
        inner = f"  call q{lv + 1}" if lv < levels else '  step z: record "z"'
        extra += (f'\nprocedure q{lv} "Q{lv}" {{\n  step s{lv}: record "s"\n'
                  + f"  if s{lv} {{\n" * (depth - 1) + inner + "\n" + "  }\n" * (depth - 1)
                  + "}\n")
    body = '  step s0: record "0"\n' + "  if s0 {\n" * depth + "  call q1\n" + "  }\n" * depth
    sg, _ = _timed(tmp_path, body, extra=extra)
    assert "z" in {sg.node(n)["name"] for n in sg.steps()}


def test_two_thousand_gotos_chained(tmp_path):
    n = 2000
    # each step jumps to the next one, written in reverse order: the path from the
    # start visits all of them through goto edges
    lines = ['  goto s0']
    for i in range(n - 1, -1, -1):
        target = f"s{i + 1}" if i + 1 < n else "last"
        lines.append(f'  step s{i}: record "{i}"\n  goto {target}')
    lines.append('  step last: record "last"')
    sg, codes = _timed(tmp_path, "\n".join(lines))
    assert codes == []
    assert len(node_of(sg, "goto")) == n + 1


def test_two_thousand_gotos_closing_a_loop(tmp_path):
    n = 2000
    lines = [f'  step s{i}: record "{i}"\n  goto s{i + 1}' for i in range(n - 1)]
    lines.append(f'  step s{n - 1}: record "end"\n  goto s0')
    _, codes = _timed(tmp_path, "\n".join(lines))
    assert codes == ["TW0502"]  # one trap, reported once


def test_self_calling_sub_procedures(tmp_path):
    extra = "".join(
        f'\nprocedure q{i} "Q{i}" {{\n  step t{i}: record "t"\n  call q{i + 1}\n  call q{i}\n}}\n'
        for i in range(30))
    extra += '\nprocedure q30 "Q30" {\n  step t30: record "t"\n  call q0\n}\n'
    _, codes = _timed(tmp_path, '  step a: record "a"\n  call q0', extra=extra)
    assert "TW0506" in codes
    assert set(codes) <= {"TW0506", "TW0507"}


def _multiplying_calls(levels: int) -> str:
    """Procedures m0 .. m{levels}, each calling the next four times: 4**levels steps."""
    extra = "".join(
        f'\nprocedure m{i} "M{i}" {{\n  step u{i}: record "u"\n'
        + f"  call m{i + 1}\n" * 4 + "}\n" for i in range(levels))
    return extra + f'\nprocedure m{levels} "M{levels}" {{\n  step u{levels}: record "u"\n}}\n'


def test_calls_that_multiply_are_cut_off(tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "MAX_NODES", 20_000)
    sg, codes = _timed(tmp_path, "  call m0", extra=_multiplying_calls(12))
    assert codes.count("TW0507") == 1
    assert len(sg.graph) <= 20_000 + 10


def test_calls_nested_too_deep(tmp_path):
    extra = "".join(f'\nprocedure c{i} "C{i}" {{\n  step v{i}: record "v"\n  call c{i + 1}\n}}\n'
                    for i in range(20))
    extra += '\nprocedure c20 "C20" {\n  step v20: record "v"\n}\n'
    _, codes = _timed(tmp_path, "  call c0", extra=extra)
    assert codes == ["TW0507"]


@pytest.mark.slow
def test_calls_that_multiply_reach_the_real_limit(tmp_path):
    sg, codes = _timed(tmp_path, "  call m0", extra=_multiplying_calls(12), limit=120)
    assert codes.count("TW0507") == 1
    assert len(sg.graph) <= build_module.MAX_NODES + 10
