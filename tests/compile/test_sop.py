"""procedure.md / procedure.html: every step, in graph order, with roles, limits, warnings
and sign-off lines; decisions, parallel branches, alarm handlers and goto bounds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from twinlang.compile import compile_files
from twinlang.compile import model as m
from twinlang.compile.sop import flow

from .test_injection import parse_html

ROOT = Path(__file__).resolve().parents[2]

FLOW = """scenario "Flow test" {
  id flow-test
  risk medium
  site "Test bay"
}

use stdlib.equipment.{GateValve, Tank}

role op "Operator"
role sup "Supervisor"

equipment V-1 "Drain valve" is GateValve {
  isolates TK-1
}

equipment TK-1 "Tank" is Tank {
  volume = 2 m^3
}

procedure drain "Drain the tank" {
  performed_by op
  roles op, sup
  step first "Close the drain" {
    close V-1
    expect V-1.position == 0 % within 1 min
    critical
    verified_by sup
    hint "Turn the handwheel clockwise"
    warning "The tank may hold pressure"
    note "Count the turns"
  }
  choose "Which side?" {
    option "Left" {
      step a "Look left": inspect TK-1
    }
    option "Right" {
      step b "Look right": inspect V-1
    }
  }
  parallel both {
    branch inside "Inside" {
      step c "Watch the tank": inspect TK-1
    }
    branch outside "Outside" {
      step d "Watch the valve": inspect V-1
    }
  }
  if TK-1.level > 50 % {
    step e "Note high": record "high"
  } else {
    step f "Note low": record "low"
  }
  step level "Read the level": inspect TK-1 expect TK-1.level < 5 %
  if TK-1.level >= 5 % {
    step redo "Drain again": open V-1
    goto level up to 2 times
    abort "Still not empty"
  }
  on alarm TK-1.level > 90 % during c {
    step g "Open the drain": open V-1
    resume
  }
  step last "Open again": open V-1 expect V-1.position == 100 % within 2 min
}
"""

ORDER = ["first", "a", "b", "c", "d", "e", "f", "level", "redo", "last", "g"]


def compile_one(src: Path, out: Path) -> Path:
    result = compile_files([src], out)
    assert not result.report.has_errors, [d.message for d in result.report.diagnostics]
    return result.bundles[0]


@pytest.fixture(scope="module")
def flow_bundle(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src") / "flow.twin"
    src.write_text(FLOW, encoding="utf-8")
    return compile_one(src, tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="module")
def loto(tmp_path_factory) -> Path:
    return compile_one(ROOT / "examples" / "loto_conveyor.twin", tmp_path_factory.mktemp("lo"))


def load(bundle_dir: Path) -> m.Bundle:
    return m.Bundle.model_validate_json((bundle_dir / "scenario.json").read_text("utf-8"))


def step_lines(md: str) -> list[tuple[int, str]]:
    return [(int(n), t) for n, t in re.findall(r"^\s*- \*\*Step (\d+)\. (.+?)\*\*", md, re.M)]


# ------------------------------------------------------------------ the layout


def test_flow_numbers_steps_in_graph_order(flow_bundle):
    proc = load(flow_bundle).procedures[0]
    fl = flow(proc)
    assert [n for n, _ in sorted(fl.numbers.items(), key=lambda kv: kv[1])] == ORDER
    kinds = [it["type"] for it in fl.items]
    assert kinds == ["step", "decision", "parallel", "decision", "step", "decision", "step",
                     "end"]
    choose, par, branch = fl.items[1], fl.items[2], fl.items[3]
    assert [o["label"] for o in choose["options"]] == ["Left", "Right"]
    assert [b["name"] for b in par["branches"]] == ["inside", "outside"]
    assert [o["label"] for o in branch["options"]] == ["yes", "no"]
    retry = fl.items[5]
    assert [[it["type"] for it in o["body"]] for o in retry["options"]] == [["step", "goto"],
                                                                            []]
    goto = retry["options"][0]["body"][1]
    assert (goto["target"], goto["bound"], goto["after"]) == ("level", 2, "abort")
    (alarm,) = fl.alarms
    assert alarm["during"] == ["c"]
    assert [it["type"] for it in alarm["body"]] == ["step", "resume"]
    assert not fl.unreached


def test_markdown_lists_every_step_in_order_with_roles_and_limits(flow_bundle):
    md = (flow_bundle / "procedure.md").read_text("utf-8")
    assert step_lines(md) == [(1, "Close the drain"), (2, "Look left"), (3, "Look right"),
                              (4, "Watch the tank"), (5, "Watch the valve"), (6, "Note high"),
                              (7, "Note low"), (8, "Read the level"), (9, "Drain again"),
                              (10, "Open again"), (11, "Open the drain")]
    first = md[md.index("**Step 1."):md.index("**Decision:** Which side?")]
    assert "**CRITICAL**" in first
    assert "Performed by: Operator; verified by: Supervisor" in first
    assert "Expected: V-1.position = 0 % within 1 min" in first
    assert "> **WARNING:** The tank may hold pressure" in first
    assert "Note: Count the turns" in first
    assert "Done by \\_\\_" in first and "Verified by (Supervisor) \\_\\_" in first
    assert "Turn the handwheel" not in md  # hints belong to the simulator
    assert "Option “Left”" in md and "Option “Right”" in md
    assert "**At the same time:**" in md and "**Branch inside:**" in md
    assert "**Decision:** Is TK-1.level &gt; 50 %?" in md
    assert "**If yes:**" in md and "**If no:**" in md
    assert "### If an alarm goes off" in md
    assert "#### If TK-1.level &gt; 90 % — during step 4 (Watch the tank)" in md
    assert "Resume step 4 (Watch the tank) where it was interrupted." in md
    # steps without a second person get a simple check box
    last = md[md.index("**Step 10."):md.index("End of the procedure")]
    assert "☐ Done" in last and "Verified by" not in last


def test_nesting_is_indented_markdown(flow_bundle):
    md = (flow_bundle / "procedure.md").read_text("utf-8")
    assert re.search(r"^- \*\*Step 1\. ", md, re.M)
    assert re.search(r"^  - \*\*Option “Left”:\*\*", md, re.M)
    assert re.search(r"^    - \*\*Step 2\. Look left\*\*", md, re.M)
    assert re.search(r"^      - Inspect TK-1 \(Tank\)", md, re.M)


def test_markdown_has_the_step_graph_as_mermaid(flow_bundle):
    md = (flow_bundle / "procedure.md").read_text("utf-8")
    block = re.search(r"^```mermaid\n(.*?)^```$", md, re.M | re.S)
    assert block is not None
    assert block.group(1).startswith("flowchart TD\n")
    for name in ORDER:
        assert f"n_{name}[" in block.group(1)


def test_html_has_every_step_in_order_and_the_graph(flow_bundle):
    doc = parse_html((flow_bundle / "procedure.html").read_text("utf-8"))
    ids = [el.get("id") for el in doc.iter("div") if (el.get("id") or "").startswith("step-")]
    assert ids == [f"step-{i}" for i in range(1, 12)]
    titles = [h.text() for h in doc.iter("h4") if h.text().startswith("Step")]
    assert titles[0].startswith("Step 1. Close the drain")
    text = doc.text()
    assert "Expected: V-1.position = 0 % within 1 min" in text
    assert "WARNING: The tank may hold pressure" in text
    assert "Turn the handwheel" not in text
    diagrams = [d for d in doc.iter("div") if d.get("class") == "diagram"]
    if shutil.which("dot"):
        assert len(diagrams) == 1 and list(diagrams[0].iter("svg"))
    else:
        assert not diagrams and [p for p in doc.iter("pre") if p.get("class") == "mermaid"]
    raw = (flow_bundle / "procedure.html").read_text("utf-8")
    assert "@media print" in raw and "<!--" not in raw


# ------------------------------------------------------------------ the LOTO example


def test_loto_every_step_in_order(loto):
    proc = load(loto).procedures[0]
    md = (loto / "procedure.md").read_text("utf-8")
    expected = [n.title for n in proc.graph.nodes if n.kind == "step"]
    found = [t for _n, t in step_lines(md)]
    assert sorted(found) == sorted(expected)
    # the main sequence follows the `next` edges from start to end
    nxt = {e.source: e.target for e in proc.graph.edges if e.kind == "next"}
    titles = {n.id: n.title for n in proc.graph.nodes}
    chain, node = [], nxt["start"]
    while node != "end":
        chain.append(titles[node])
        node = nxt[node]
    assert found[:len(chain)] == chain
    assert [n for n, _t in step_lines(md)] == list(range(1, len(found) + 1))


def test_loto_roles_energy_limits_and_warnings(loto):
    md = (loto / "procedure.md").read_text("utf-8")
    assert "| electrician | Authorized employee (electrician) | yes |" in md
    assert "rated\\_voltage 480 V" in md
    assert "precharge 90 bar; working\\_pressure 140 bar" in md
    assert "| Hydraulic pressure | ACC-3 (Take-up accumulator) |" in md
    assert "- Belt and pulley nip points (class: entanglement)" in md
    assert "- cut-resistant gloves" in md
    stop = md[md.index("**Step 3. Stop the conveyor normally**"):md.index("**Step 4.")]
    assert "Performed by: Affected employee (line 1 operator)" in stop
    assert "Expected: M-12.speed ≤ 0.1 rpm within 40 s" in stop
    assert "> **WARNING:** The stop button only stops the drive" in stop
    tryout = md[md.index("**Step 12. Try to start the conveyor**"):md.index("**Step 13.")]
    assert "verified by: Shift supervisor" in tryout
    assert ("Only when: step 7 (Lock and tag the disconnect) done and step 8 (Lock and tag "
            "the valve) done and step 9 (Bleed the take-up accumulator) done") in tryout
    assert "Done by" in tryout and "Verified by (Shift supervisor)" in tryout
    assert "Use the viewing window" not in md  # a hint


def test_loto_alarm_goto_bound(loto):
    md = (loto / "procedure.md").read_text("utf-8")
    alarm = md[md.index("### If an alarm goes off"):md.index("### Step graph")]
    assert "#### If ACC-3.pressure &gt; 5 bar — during step 14 (Replace the belt)" in alarm
    assert ("Go back to step 9 (Bleed the take-up accumulator) and carry on from there, at "
            "most 3 times; when the repeats are used up, stop: abort the procedure.") in alarm


def test_decision_with_bounded_goto(flow_bundle):
    md = (flow_bundle / "procedure.md").read_text("utf-8")
    decision = md[md.index("**Decision:** Is TK-1.level ≥ 5 %?"):md.index("**Step 10.")]
    assert "Go back to step 8 (Read the level) and carry on from there, at most 2 times; " \
        "when the repeats are used up, stop: abort the procedure." in decision
    assert "**If no:** continue below." in decision


def test_without_graphviz_the_html_gives_the_mermaid_source(tmp_path, monkeypatch):
    from twinlang.graph import export

    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    src = tmp_path / "flow.twin"
    src.write_text(FLOW, encoding="utf-8")
    b = compile_one(src, tmp_path / "out")
    doc = parse_html((b / "procedure.html").read_text("utf-8"))
    assert not list(doc.iter("svg"))
    (pre,) = [p for p in doc.iter("pre") if p.get("class") == "mermaid"]
    assert pre.text().startswith("flowchart TD\n")
    assert "n_first[" in pre.text()
