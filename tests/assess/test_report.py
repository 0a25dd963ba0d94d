"""report.html: sections, evidence links, the timeline, escaping, determinism."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.assess import report_fixture as fx
from tests.assess.html_tree import parse, table_rows
from twinlang.assess import plots
from twinlang.assess.report import (
    build_timeline,
    code_spans,
    expected_order,
    fmt_duration,
    write_report,
)
from twinlang.bundle import model as m

SECTIONS = ["Verdict", "Competencies", "Metrics", "Timeline", "Per-step times", "Events"]
LOTO_ORDER = ["prepare", "notify_start", "stop", "open_disconnect", "check_blades",
              "close_valve", "lock_disconnect", "lock_valve", "bleed", "read_gauge",
              "stand_clear", "tryout", "controls_off", "work", "inspect_area", "headcount",
              "unlock_valve", "unlock_disconnect", "notify_end", "restore_hydraulics",
              "restore_power"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return fx.assessed_run(tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def written(run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    path = write_report(*run, out)
    text = path.read_text(encoding="utf-8")
    doc, doctype = parse(text)
    return path, text, doc, doctype


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    path = write_report(*fx.assessed_run(tmp, hostile=True), tmp / "out")
    return path, path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- structure


def test_report_is_well_formed_html_with_the_sections(written):
    path, _text, doc, doctype = written
    assert path.name == "report.html"
    assert doctype is not None and doctype.lower() == "doctype html"
    html = doc.find("html")
    assert html.attrs["lang"] == "en"
    assert doc.find("h1").words() == ("Assessment report: Lockout of conveyor C-12 for belt "
                                      "replacement")
    assert [h.words() for h in doc.find_all("h2")] == SECTIONS
    for ident in ("verdict", "competencies", "metrics", "timeline", "steps", "events"):
        assert doc.by_id(ident).tag == "section"
    assert doc.find("title").words().startswith("Failed: Lockout of conveyor C-12")


def test_header_names_the_run_and_says_why_it_failed(written, run):
    _path, _text, doc, _ = written
    verdict = doc.by_id("verdict")
    facts = dict(zip([dt.words() for dt in verdict.find_all("dt")],
                     [dd.words() for dd in verdict.find_all("dd")], strict=True))
    assert facts["Scenario"] == ("Lockout of conveyor C-12 for belt replacement "
                                 "(loto-conveyor-c12)")
    assert facts["Procedure"] == "Lock out conveyor C-12 (lockout)"
    assert facts["Trainee"] == "trainee-1"
    assert facts["Seed"] == "7"
    assert facts["Outcome"] == "stopped: the trainee stopped"
    assert facts["Simulated time"] == "0.00 s to 70.00 s (1 min 10 s)"
    badge = verdict.find("span")
    assert badge.words() == "FAILED"
    reasons = verdict.find("ul").words()
    assessment = run[0]
    title = assessment.competencies[0].title
    assert reasons.startswith(f"{title}: score 46.7 % is below the pass score 85 %")
    assert "critical step lock_disconnect failed: left out" in reasons


def test_competency_thresholds_and_critical_items(written, run):
    _path, _text, doc, _ = written
    comp = run[0].competencies[0]
    section = doc.by_id("competency-1")
    assert section.find("h3").words() == f"{comp.title} FAILED"
    assert "Score 47 %, pass score 85 %." in section.words()
    tables = section.find_all("table")
    rows = table_rows(tables[0])
    assert rows[0] == ["Requirement", "Measured", "Met", "Critical", "Weight", "Why not met"]
    assert len(rows) - 1 == len(comp.thresholds)
    for t, row in zip(comp.thresholds, rows[1:], strict=True):
        assert row[1] == t.measured_text
        assert row[2] == ("met" if t.met else "not met")
        assert row[3] == ("yes" if t.critical else "no")
    crit = {r[0]: r for r in table_rows(tables[1])[1:]}
    lock = crit["Lock and tag the disconnect (lock_disconnect)"]
    assert lock[1] == "failed" and "left out" in lock[2]
    # every critical item with evidence links to the event list
    links = [a.attrs["href"] for a in tables[1].find_all("a")]
    assert "#line-22" in links


def test_every_evidence_link_reaches_its_event(written, run):
    _path, _text, doc, _ = written
    ids = {e.attrs["id"] for e in doc.iter() if "id" in e.attrs}
    assert {f"line-{n}" for n in range(1, fx.STEP_EVENTS + 2)} <= ids
    hrefs = [a.attrs["href"] for a in doc.find_all("a")]
    internal = [h for h in hrefs if h.startswith("#")]
    assert internal and all(h[1:] in ids for h in internal)
    # the wrong-role metric rests on line 9, the wrong_role event
    metrics = {r[0]: r for r in table_rows(doc.by_id("metrics").find("table"))}
    assert metrics["wrong_role_errors"][1] == "1"
    row = next(tr for tr in doc.by_id("metrics").find_all("tr")
               if tr.words().startswith("wrong_role_errors"))
    assert [a.attrs["href"] for a in row.find_all("a")] == ["#line-9"]
    line9 = doc.by_id("line-9")
    cells = [c.words() for c in line9.find_all("td")]
    assert cells[:5] == ["9", "1.00", "wrong_role", "notify_start", "wrong role"]
    assert "wrong_role_errors" in cells[6]
    assert "error" in line9.attrs["class"]
    # evidence without a log line (line 0) is said so, not linked
    crit = next(tr for tr in doc.by_id("metrics").find_all("tr")
                if tr.words().startswith("critical_errors"))
    assert "no log line" in crit.words()


def test_steps_table_follows_the_expected_order_with_times(written):
    _path, _text, doc, _ = written
    rows = table_rows(doc.by_id("steps").find("table"))
    assert rows[0][:7] == ["Step", "Status", "Performed by", "Entered", "Started",
                           "Completed", "Duration"]
    body = doc.by_id("steps").find("tbody")
    assert [tr.find("th").find("code").text() for tr in body.find_all("tr")] == LOTO_ORDER
    assert [tr.find("th").find("code").text() for tr in body.find_all("tr")
            if "critical" in tr.find("th").words()] == ["lock_disconnect", "lock_valve",
                                                         "bleed", "tryout"]
    stop = rows[3]
    assert stop[0] == "Stop the conveyor normally stop"
    assert stop[1:4] == ["completed", "operator", "1.00"]
    assert stop[5:8] == ["40.00", "39.0 s", "1"]
    assert stop[8] == "expectations not met in time"
    assert rows[4][1] == "omitted"


def test_self_contained_accessible_no_script(written):
    path, text, doc, _ = written
    tags = {e.tag for e in doc.iter()}
    assert not tags & {"script", "link", "iframe", "object", "embed"}
    for e in doc.iter():
        for name, value in e.attrs.items():
            assert not name.startswith("on"), (e.tag, name)
            if name in ("src", "href") and value:
                assert not re.match(r"(https?:)?//", value), value
    (img,) = doc.find_all("img")
    assert len(img.attrs["alt"]) > 80 and "Gantt chart of 21 expected steps" in img.attrs["alt"]
    prefix = "data:image/svg+xml;base64,"
    assert img.attrs["src"].startswith(prefix)
    svg = (path.parent / "timeline.svg").read_bytes()
    assert base64.b64decode(img.attrs["src"][len(prefix):]) == svg
    for table in doc.find_all("table"):
        assert table.find_all("caption"), "every table has a caption"
        assert all(th.attrs.get("scope") in ("col", "row") for th in table.find_all("th"))
    assert "<style>" in text and doc.find("main")


def test_timeline_svg_is_clean_xml(written):
    path = written[0]
    svg = (path.parent / "timeline.svg").read_bytes()
    root = ET.fromstring(svg)
    names = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    assert "script" not in names and "foreignObject" not in names
    assert b"<dc:date>" not in svg
    for el in root.iter():
        assert not any(k.startswith("on") for k in el.attrib)


# ---------------------------------------------------------------- escaping


def test_hostile_strings_are_escaped_everywhere(hostile):
    path, text = hostile
    for s in fx.HOSTILE:
        assert s not in text, s  # never verbatim: `<`, `&` and quotes are escaped
    doc, _ = parse(text)
    allowed = {"#document", "html", "head", "meta", "title", "style", "body", "header", "p",
               "code", "nav", "ul", "li", "a", "main", "section", "h1", "h2", "h3", "h4",
               "div", "span", "dl", "dt", "dd", "strong", "table", "caption", "thead",
               "tbody", "tr", "th", "td", "figure", "img", "figcaption", "footer"}
    assert {e.tag for e in doc.iter()} <= allowed
    assert len(doc.find_all("style")) == 1 and len(doc.find_all("img")) == 1
    assert fx.HOSTILE_SCENARIO in doc.find("title").text()
    assert doc.find("h1").text() == f"Assessment report: {fx.HOSTILE_SCENARIO}"
    body = doc.find("body").text()
    for s in fx.HOSTILE:  # shown as text, in full
        assert s in body, s
    step = next(tr for tr in doc.by_id("steps").find_all("tr")
                if "notify_start" in tr.words())
    assert step.find("th").text().startswith(fx.HOSTILE_STEP)
    svg = (path.parent / "timeline.svg").read_bytes()
    root = ET.fromstring(svg)
    assert not {el.tag.rsplit("}", 1)[-1] for el in root.iter()} & {"script", "img"}


def test_code_spans_escape_and_mark_names():
    assert str(code_spans("step `a<b>` & `c`")) == (
        "step <code>a&lt;b&gt;</code> &amp; <code>c</code>")
    assert str(code_spans("one ` tick <i>")) == "one ` tick &lt;i&gt;"


# ---------------------------------------------------------------- determinism


def test_same_inputs_give_the_same_bytes(run, written, tmp_path):
    first = written[0].parent
    write_report(*run, tmp_path)
    for name in ("report.html", "timeline.svg"):
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "timeline.svg"]


def test_a_bundle_without_the_procedure_still_gives_a_report(run, tmp_path):
    """The rows then come from the assessment's step records, in their order."""
    assessment, log, bundle = run
    other = bundle.model_copy(update={"procedures": []})
    doc, _ = parse(write_report(assessment, log, other, tmp_path).read_text("utf-8"))
    dl = doc.by_id("verdict").find("dl")
    facts = dict(zip([dt.words() for dt in dl.find_all("dt")],
                     [dd.words() for dd in dl.find_all("dd")], strict=True))
    assert facts["Procedure"] == "lockout"
    tl = build_timeline(assessment, log.events, None)
    assert [r.step for r in tl.rows] == [s.step for s in assessment.steps]


# ---------------------------------------------------------------- the timeline


def test_expected_order_of_the_conveyor_lockout(run):
    bundle = run[2]
    assert expected_order(bundle.procedures[0]) == LOTO_ORDER


def _node(ident, kind="step"):
    return m.Node(id=ident, kind=kind)


def test_expected_order_follows_the_graph_not_the_text():
    # written d, c, b, a; the graph runs a, fork(b | c), d; x handles an alarm during a
    nodes = [_node("start", "start"), _node("end", "end"), _node("d"), _node("c"),
             _node("b"), _node("x"), _node("a"), _node("f", "fork"), _node("j", "join"),
             _node("alarm#1", "alarm")]
    edges = [m.Edge(source="start", target="a", kind="next"),
             m.Edge(source="a", target="f", kind="next"),
             m.Edge(source="f", target="b", kind="fork"),
             m.Edge(source="f", target="c", kind="fork"),
             m.Edge(source="b", target="j", kind="next"),
             m.Edge(source="c", target="j", kind="next"),
             m.Edge(source="j", target="d", kind="join"),
             m.Edge(source="d", target="end", kind="next"),
             m.Edge(source="a", target="alarm#1", kind="alarm"),
             m.Edge(source="alarm#1", target="x", kind="next"),
             m.Edge(source="x", target="a", kind="goto", bound=2)]
    proc = m.Procedure(id="p", graph=m.StepGraph(nodes=nodes, edges=edges), source="t:1")
    # parallel branches in the order written (c before b), the alarm handler last
    assert expected_order(proc) == ["a", "c", "b", "d", "x"]


def test_timeline_bars_marks_and_lines_from_the_log(run):
    assessment, log, bundle = run
    tl = build_timeline(assessment, log.events, bundle.procedures[0])
    assert [r.step for r in tl.rows] == LOTO_ORDER
    assert [r.step for r in tl.rows if r.critical] == ["lock_disconnect", "lock_valve",
                                                       "bleed", "tryout"]
    assert (tl.start, tl.end) == (0.0, 70.0)
    assert [(b.step, b.start, b.end, b.how) for b in tl.bars] == [
        ("prepare", 0.0, 0.0, "completed"),
        ("notify_start", 0.0, 1.0, "completed"),
        ("stop", 1.0, 40.0, "completed"),
        ("open_disconnect", 40.0, 41.0, "skipped"),
        ("close_valve", 41.0, 60.0, "completed"),
        ("lock_disconnect", 60.0, 62.0, "interrupted"),
        ("lock_disconnect", 64.0, 70.0, "open"),
    ]
    during = [(k.step, k.t, k.kind) for k in tl.marks if k.t < 70.0]
    assert during == [
        ("notify_start", 0.5, "hint"),
        ("notify_start", 1.0, "wrong_role"),
        ("stop", 40.0, "expectation_failed"),
        ("close_valve", 41.0, "out_of_order"),
        ("open_disconnect", 41.0, "omitted"),
        (plots.NO_STEP, 42.0, "extra"),
        (plots.NO_STEP, 42.0, "refused"),
    ]
    # steps never reached are marked omitted at the end of the run
    at_end = [k.step for k in tl.marks if k.t == 70.0]
    assert all(k.kind == "omitted" for k in tl.marks if k.t == 70.0)
    assert at_end == [s for s in LOTO_ORDER[4:] if s != "close_valve"]
    assert [(v.t, v.kind) for v in tl.lines] == [
        (41.0, "fault_injected"), (61.0, "critical"), (62.0, "alarm"),
        (65.0, "fault_cleared")]


def test_timeline_svg_legend_names_only_what_is_shown(run):
    assessment, log, bundle = run
    tl = build_timeline(assessment, log.events, bundle.procedures[0])
    svg = plots.timeline_svg(tl).decode("utf-8")
    # text is drawn as paths; matplotlib keeps each string in a comment
    for label in ("wrong role", "hint used", "action refused", "alarm", "fault cleared",
                  "under way → interrupted (alarm, re-entered)"):
        assert f"<!-- {label} -->" in svg, label
    assert "<!-- critical event -->" not in svg  # the critical event had no step: a line
    assert "<!-- critical event (no step) -->" in svg


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "—"), (0.0, "0.0 s"), (59.94, "59.9 s"), (60.0, "1 min 00 s"),
    (3196.7, "53 min 17 s"), (3600.0, "1 h 00 min"), (31536000.0, "8760 h 00 min")])
def test_fmt_duration(seconds, text):
    assert fmt_duration(seconds) == text


@pytest.mark.slow
def test_expert_run_end_to_end(tmp_path):
    """Compile, play the expert, assess, write: the report says PASSED (slow: plays 53 min
    of simulated time)."""
    from twinlang.assess import assess_log
    from twinlang.player.runner import play

    bundle_dir, bundle = fx.compile_bundle(tmp_path)
    log = tmp_path / "expert.jsonl"
    play(bundle_dir, log_path=log, world=False)
    assessment, runlog = assess_log(log, bundle_dir)
    text = write_report(assessment, runlog, bundle, tmp_path / "out").read_text("utf-8")
    doc, _ = parse(text)
    assert doc.by_id("verdict").find("span").words() == "PASSED"
    assert Path(tmp_path / "out" / "timeline.svg").stat().st_size > 10_000


def test_validity_is_shown_as_written_in_scenarios():
    from twinlang.assess.report import fmt_validity

    assert fmt_validity(31557600.0) == "1 year"
    assert fmt_validity(3 * 31557600.0) == "3 years"
    assert fmt_validity(90 * 86400.0) == "90 days"
