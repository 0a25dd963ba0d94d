"""Exports of the step graph (JSON, DOT, Mermaid, SVG) and the `twinlang graph` command."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pydot
import pytest

import twinlang
from twinlang import ast
from twinlang.diagnostics import DiagnosticSink
from twinlang.graph import export, procedure_graphs
from twinlang.graph.export import action_text, condition_text, to_dot, to_json, to_mermaid
from twinlang.semantics import check_program

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.twin"))
HAS_DOT = shutil.which("dot") is not None

#: Text a scenario author could write that means something to DOT, Mermaid, HTML or XML.
HOSTILE = ('Say \\"stop\\" \\\\ <script>alert(1)</script> {a|b} #1 `tick` [x] (y) & é '
           '漢字 🔥 \\u{202E}rtl\\nsecond line\\ttab')
HOSTILE_TEXT = ('Say "stop" \\ <script>alert(1)</script> {a|b} #1 `tick` [x] (y) & é 漢字 🔥 '
                '\u202ertl\nsecond line\ttab')

HOSTILE_SCENARIO = f"""\
scenario "Hostile" {{
  id hostile
  risk low
}}
role operator "Operator"

procedure sub "Sub {HOSTILE}" {{
  performed_by operator
  step s "{HOSTILE}": record "s"
}}

procedure p "{HOSTILE}" {{
  performed_by operator
  step a "{HOSTILE}": record "{HOSTILE}"
  choose "{HOSTILE}" {{
    option "{HOSTILE}" {{ step b: record "b" }}
    option "plain" {{ step c "{HOSTILE}": notify operator "{HOSTILE}" }}
  }}
  call sub
  step w: wait 5 min
  on alarm a during w {{
    step h "{HOSTILE}": record "h"
    resume
  }}
  step z: record "z"
}}
"""

CLEAN = """\
scenario "Graph test" {
  id graph-test
  risk low
}
role operator "Operator"
role supervisor "Supervisor"

procedure inspect "Inspect the line" {
  performed_by operator
  roles operator, supervisor
  step look "Look at the line": record "line looked at"
  if look {
    step tell: record "line inspected" performed_by supervisor
  }
  parallel {
    branch one { step a: record "a" }
    branch two { step b: record "b" }
  }
  step w: wait 5 min
  on alarm look during w -> goto look up to 2 times
}
"""

TWO = CLEAN + """
procedure recheck "Check the line again" {
  performed_by operator
  step again: record "again"
}
"""


def graphs_of(path: Path) -> dict[str, object]:
    sink = DiagnosticSink()
    program = check_program([path], sink, {})
    return {sg.name: sg for sg in procedure_graphs(program, sink)}


def write(tmp_path: Path, text: str, name: str = "case.twin") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def example_graphs():
    out = []
    for path in EXAMPLES:
        for name, sg in graphs_of(path).items():
            out.append(pytest.param(sg, id=f"{path.stem}:{name}"))
    return out


@pytest.fixture
def hostile(tmp_path):
    return graphs_of(write(tmp_path, HOSTILE_SCENARIO))["p"]


def test_hostile_scenario_is_read_as_intended(hostile):
    assert hostile.procedure.title == HOSTILE_TEXT
    assert hostile.node("a")["title"] == HOSTILE_TEXT


# ------------------------------------------------------------------ DOT


def _dot_unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], text[1:-1])


def _parse_dot(text: str) -> pydot.Dot:
    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None and len(graphs) == 1
    return graphs[0]


def _dot_nodes(graph: pydot.Dot) -> dict[str, pydot.Node]:
    return {_dot_unquote(n.get_name()): n for n in graph.get_nodes()
            if n.get_name() not in ("node", "edge", "graph")}


def _assert_dot_matches(sg) -> pydot.Dot:
    parsed = _parse_dot(to_dot(sg))
    nodes = _dot_nodes(parsed)
    assert set(nodes) == set(sg.graph.nodes)
    assert len(nodes) == sg.graph.number_of_nodes()
    pairs = [(_dot_unquote(e.get_source()), _dot_unquote(e.get_destination()))
             for e in parsed.get_edges()]
    assert len(pairs) == sg.graph.number_of_edges()
    assert set(pairs) == set(sg.graph.edges)
    return parsed


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("sg", example_graphs())
def test_dot_of_every_example_parses_back(sg):
    _assert_dot_matches(sg)


def test_dot_with_hostile_text(hostile):
    parsed = _assert_dot_matches(hostile)
    nodes = _dot_nodes(parsed)
    label = _dot_unquote(nodes["a"].get("label"))
    assert label.split("\n")[0] == "a"
    assert _flat(label) == _flat("a " + HOSTILE_TEXT)
    tooltip = _dot_unquote(nodes["a"].get("tooltip"))
    assert tooltip.split("\n")[0] == action_text(hostile.step_ast("a").actions[0])
    choose = next(n for n in hostile.graph if n.startswith("choose#"))
    assert _flat(_dot_unquote(nodes[choose].get("label"))) == _flat(HOSTILE_TEXT)
    option = next(e for e in parsed.get_edges() if _dot_unquote(e.get_destination()) == "b")
    assert _flat(_dot_unquote(option.get("label"))) == _flat(HOSTILE_TEXT)
    # nothing from the scenario reaches DOT unescaped
    for line in to_dot(hostile).splitlines():
        rest = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
        assert re.fullmatch(r'digraph "" \{|\}|  (graph|node|edge) \[[^\]]*\];|'
                            r'  ""( -> "")?( \[[^\]<>{}|\\]*\])?;', rest), line


def test_dot_shapes_and_styles(tmp_path):
    sg = graphs_of(write(tmp_path, CLEAN))["inspect"]
    text = to_dot(sg)
    assert '"start" [label="start", shape=circle' in text
    assert '"end" [label="end", shape=doublecircle' in text
    assert re.search(r'"if#1" \[label="if look", shape=diamond', text)
    assert re.search(r'"fork#1" \[label="", shape=box, style=filled, fillcolor=black', text)
    assert re.search(r'"w" -> "alarm#1" \[style=dashed', text)
    assert re.search(r'-> "look" \[label="up to 2 times", style=dotted', text)


# ------------------------------------------------------------------ Mermaid

_ENTITY = re.compile(r"#(quot|amp|lt|gt|\d+);")
_NAMED = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}
_SHAPES = [("([", "])"), ("((", "))"), ("{{", "}}"), ("[", "]"), ("{", "}"), (">", "]")]
_NODE_LINE = re.compile(r'^  (n_\w+)(\(\(|\(\[|\{\{|\[|\{|>)"([^"]*)"(\)\)|\]\)|\}\}|\]|\})$',
                        re.ASCII)
_EDGE_LINE = re.compile(r'^  (n_\w+) (-->|-\.->|==>)(?:\|"([^"]*)"\|)? (n_\w+)$', re.ASCII)


def _mermaid_text(label: str) -> str:
    assert not re.search(r"[\"<>\[\]{}()|`]", label.replace("<br/>", "")), label
    lines = label.split("<br/>")
    return "\n".join(_ENTITY.sub(lambda m: _NAMED.get(m[1]) or chr(int(m[1])), x)
                     for x in lines)


def _parse_mermaid(text: str):
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes, edges = {}, []
    for line in lines[1:]:
        if m := _NODE_LINE.match(line):
            assert (m[2], m[4]) in _SHAPES, line
            assert m[1] not in nodes
            nodes[m[1]] = _mermaid_text(m[3])
        elif m := _EDGE_LINE.match(line):
            edges.append((m[1], m[4], _mermaid_text(m[3]) if m[3] is not None else None))
        else:
            assert line.startswith(("  classDef ", "  class ")), line
    return nodes, edges


@pytest.mark.parametrize("sg", example_graphs())
def test_mermaid_of_every_example(sg):
    nodes, edges = _parse_mermaid(to_mermaid(sg))
    ids = export.mermaid_ids(sg.graph)
    assert list(nodes) == [ids[n] for n in sg.graph.nodes]
    assert len(edges) == sg.graph.number_of_edges()
    assert {(u, v) for u, v, _ in edges} == {(ids[u], ids[v]) for u, v in sg.graph.edges}


def test_mermaid_with_hostile_text(hostile):
    nodes, edges = _parse_mermaid(to_mermaid(hostile))
    ids = export.mermaid_ids(hostile.graph)
    assert _flat(nodes[ids["a"]]) == _flat("a " + HOSTILE_TEXT)
    assert nodes[ids["sub#1/s"]].split("\n")[0] == "sub#1/s"
    option = next(label for u, v, label in edges if v == ids["b"])
    assert _flat(option) == _flat(HOSTILE_TEXT)


def test_mermaid_ids_are_safe_and_distinct():
    g = nx.DiGraph()
    for n in ("end", "V-101", "V_101", "o", "x", "release#1/clear", "alarm#1:resume", "é"):
        g.add_node(n)
    ids = export.mermaid_ids(g)
    assert len(set(ids.values())) == len(ids)
    assert all(re.fullmatch(r"n_[A-Za-z0-9_]+", i) for i in ids.values())
    assert ids["V-101"] == "n_V_101" and ids["V_101"] == "n_V_101_2"
    assert export.mermaid_ids(g) == ids


# ------------------------------------------------------------------ JSON


@pytest.mark.parametrize("sg", [*example_graphs()])
def test_json_round_trips(sg):
    data = to_json(sg)
    text = json.dumps(data, sort_keys=True)
    back = nx.node_link_graph(json.loads(text), directed=True, multigraph=False, edges="edges")
    assert list(back.nodes) == list(sg.graph.nodes)
    assert set(back.edges) == set(sg.graph.edges)
    for n, d in back.nodes(data=True):
        assert d["kind"] == sg.graph.nodes[n]["kind"]
    for u, v, d in back.edges(data=True):
        assert d["kind"] == sg.graph.edges[u, v]["kind"]
    assert back.graph["procedure"] == sg.name


def test_json_content(tmp_path):
    sg = graphs_of(write(tmp_path, CLEAN))["inspect"]
    data = to_json(sg)
    assert data["graph"]["procedure"] == "inspect"
    assert data["graph"]["title"] == "Inspect the line"
    assert data["graph"]["roles"] == ["operator", "supervisor"]
    nodes = {n["id"]: n for n in data["nodes"]}
    look = nodes["look"]
    assert look["kind"] == "step" and look["title"] == "Look at the line"
    assert look["actions"] == ['record "line looked at"']
    assert look["span"].endswith("case.twin:11")
    assert "ast" not in look and "region" not in look
    assert nodes["if#1"]["condition"] == "look"
    goto = next(n for n in data["nodes"] if n["kind"] == "goto")
    assert (goto["target"], goto["bound"]) == ("look", 2)
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    assert edges[("if#1", "tell")] == {"source": "if#1", "target": "tell", "kind": "branch",
                                       "condition": "look"}
    assert edges[(goto["id"], "look")]["bound"] == 2


def test_json_of_hostile_text(hostile):
    text = export.json_text(hostile)
    data = json.loads(text)
    assert data["graph"]["title"] == HOSTILE_TEXT
    node = next(n for n in data["nodes"] if n["id"] == "c")
    assert node["actions"] == [f"notify operator {export.quote(HOSTILE_TEXT)}"]


# ------------------------------------------------------------------ SVG


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` is not installed")
def test_svg_is_well_formed_xml(hostile):
    svg = export.to_svg(hostile)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert not [el for el in root.iter() if el.tag.endswith("script")]
    texts = "".join(el.text or "" for el in root.iter())
    assert "<script>alert(1)</script>" in texts


def test_svg_without_graphviz(hostile, monkeypatch):
    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    with pytest.raises(export.GraphvizMissing) as info:
        export.to_svg(hostile)
    assert "graphviz" in str(info.value).lower() and "install" in info.value.help


# ------------------------------------------------------------------ twinlang text


CONDITIONS = [
    "a", "not a", "a and b", "a or b", "a and b or c", "a and (b or c)", "(a or b) and c",
    "not (a and b)", "not not a", "a or (b or c)", "a and (b and c)",
    "V-1.position > 50 %", "T-1.temperature between 10 degC and 40 degC",
    "V-1 is closed", 'M-1.mode == "auto"', "M-1.running == true", "GD-1.lel < 10 % LEL",
    "not V-1.position <= 2 % and (M-1.speed != 0 rpm or a)",
]


def _steps_of(text: str) -> list[ast.Step]:
    module, diags = twinlang.parse(text)
    assert module is not None, diags
    proc = next(i for i in module.items if isinstance(i, ast.Procedure))
    return [i for i in proc.body if isinstance(i, ast.Step)]


@pytest.mark.parametrize("cond", CONDITIONS)
def test_condition_text_reads_back(cond):
    (step,) = _steps_of(f'procedure p {{\n  step s: record "x" expect {cond}\n}}\n')
    text = condition_text(step.expects[0].condition)
    assert text == cond
    (again,) = _steps_of(f'procedure p {{\n  step s: record "x" expect {text}\n}}\n')
    assert condition_text(again.expects[0].condition) == text


ACTIONS = [
    'notify operator "C-12 will stop"', "notify operator", 'communicate operator "clear"',
    'work "Replace the belt" for 45 min', "wait 5 min", "wait until (a and b) within 2 min",
    "wait until V-1.position < 5 %", "record ACC-3.pressure", 'record "all clear"',
    "apply lock to DS-12, V-31", "remove tag from V-31", "issue permit entry",
    "sign permit entry", "revoke permit entry", 'hold for supervisor "sign-off"',
    "account for operator, supervisor", 'clear area "tools removed"', "clear area",
    "open DS-12", "connect G-1 to TK-7", "position SS-12 at off", "attach RS-1 on TK-7",
    'record "say \\"hi\\" \\\\ now\\n"',
]


@pytest.mark.parametrize("action", ACTIONS)
def test_action_text_reads_back(action):
    (step,) = _steps_of(f"procedure p {{\n  step s: {action}\n}}\n")
    assert action_text(step.actions[0]) == action


# ------------------------------------------------------------------ determinism


def test_exports_are_deterministic(tmp_path):
    path = write(tmp_path, HOSTILE_SCENARIO)
    first, second = graphs_of(path)["p"], graphs_of(path)["p"]
    for fmt in ("json", "dot", "mermaid"):
        once = export.render(first, fmt)
        assert once == export.render(first, fmt), fmt
        assert once == export.render(second, fmt), fmt
    assert to_json(first) == to_json(first)
    if HAS_DOT:
        assert export.to_svg(first) == export.to_svg(second)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_export_deterministically(path):
    one, two = graphs_of(path), graphs_of(path)
    for name in one:
        for fmt in ("json", "dot", "mermaid"):
            assert export.render(one[name], fmt) == export.render(two[name], fmt)


# ------------------------------------------------------------------ the command


def run_cli(*args: str, cwd: Path, path_env: str | None = None):
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "TWINLANG_TRACEBACK"}}
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONPATH"] = str(REPO)
    if path_env is not None:
        env["PATH"] = path_env
    return subprocess.run([sys.executable, "-m", "twinlang", "graph", *args], cwd=cwd,
                          capture_output=True, env=env, timeout=120)


@pytest.fixture
def run(capsysbinary, monkeypatch, tmp_path):
    """`twinlang graph ARGS` in-process, in ``tmp_path``: (exit code, stdout, stderr), the
    streams as text (`raw=True`: as bytes)."""
    from twinlang import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TWINLANG_TRACEBACK", raising=False)

    def _run(*args: str, raw: bool = False):
        capsysbinary.readouterr()
        code = cli.main(["graph", *args])
        out, err = capsysbinary.readouterr()
        return (code, out, err) if raw else (code, out.decode("utf-8"), err.decode("utf-8"))

    return _run


@pytest.mark.parametrize("fmt", ["json", "dot", "mermaid", "svg"])
def test_cli_each_format(tmp_path, run, fmt):
    if fmt == "svg" and not HAS_DOT:
        pytest.skip("Graphviz `dot` is not installed")
    write(tmp_path, CLEAN)
    # end to end: the installed command, writing a file
    out = run_cli("case.twin", "--format", fmt, "-o", "out.txt", cwd=tmp_path)
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout == b"" and out.stderr == b""
    data = (tmp_path / "out.txt").read_bytes()
    # the same bytes on standard output
    code, stdout, _ = run("case.twin", "--format", fmt, raw=True)
    assert code == 0 and stdout == data
    sg = graphs_of(Path("case.twin"))["inspect"]  # named as the command names it
    if fmt == "json":
        assert json.loads(data) == json.loads(export.json_text(sg))
    elif fmt == "dot":
        assert data.decode() == to_dot(sg)
    elif fmt == "mermaid":
        assert data.decode() == to_mermaid(sg)
    else:
        assert ET.fromstring(data).tag.endswith("svg")


def test_cli_chooses_a_procedure(tmp_path, run):
    write(tmp_path, TWO)
    code, _, err = run("case.twin", "--format", "dot")
    assert code == 2
    assert "`inspect`, `recheck`" in err and "--procedure" in err
    code, out, _ = run("case.twin", "--format", "dot", "--procedure", "recheck")
    assert code == 0
    assert out.startswith('digraph "recheck" {')
    code, _, err = run("case.twin", "--format", "dot", "--procedure", "rechek")
    assert code == 2
    assert "no procedure `rechek`" in err and "did you mean `recheck`?" in err


def test_cli_reports_errors_first(tmp_path, run):
    write(tmp_path, CLEAN.replace("goto look up to 2 times", "goto nowhere"))
    code, out, err = run("case.twin", "--format", "json")
    assert code == 1
    assert out == ""
    assert "error[" in err and "nowhere" in err


def test_cli_svg_without_graphviz(tmp_path):
    write(tmp_path, CLEAN)
    empty = tmp_path / "bin"
    empty.mkdir()
    res = run_cli("case.twin", "--format", "svg", cwd=tmp_path, path_env=str(empty))
    assert res.returncode == 2
    err = res.stderr.decode()
    assert "Graphviz" in err and "install" in err
    assert res.stdout == b""


def test_cli_usage_errors(tmp_path, run):
    write(tmp_path, CLEAN)
    assert run("missing.twin", "--format", "dot")[0] == 2
    assert run(".", "--format", "dot")[0] == 2
    assert run("case.twin", "--format", "png")[0] == 2
    assert run("case.twin")[0] == 2  # the format is required
    write(tmp_path, 'role operator "Operator"\n', "noproc.twin")
    code, _, err = run("noproc.twin", "--format", "dot")
    assert code == 2 and "declares no procedure" in err


def test_cli_cannot_write(tmp_path, run):
    write(tmp_path, CLEAN)
    code, _, err = run("case.twin", "--format", "dot", "-o", "no/such/dir/out.dot")
    assert code == 2 and "cannot write" in err
