"""Plots of an assessed run, drawn with matplotlib and written as SVG.

The timeline is a Gantt-style chart: the expected steps of the procedure top to bottom in
the order of the step graph, one bar per time a step was under way (entered → completed,
skipped, or still open when the log ends), a marker where each error happened and a
vertical line at each alarm, fault and critical event.

The output is the same bytes for the same inputs: no dates in the metadata, a fixed
``svg.hashsalt`` for the element ids, the DejaVu fonts that ship with matplotlib, and text
drawn as paths (the picture does not depend on the fonts of the machine that shows it).
matplotlib is imported only inside the functions, and only its Agg and SVG canvases are
used: no window is ever opened.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

# What the markers mean, in the order of the legend: kind -> (label, marker, colour, size,
# vertical offset in the row, so that markers of one event do not hide each other).
MARKS: dict[str, tuple[str, str, str, float, float]] = {
    "omitted": ("omitted or skipped", "X", "#c0392b", 70, 0.0),
    "out_of_order": ("out of order", "D", "#d35400", 40, -0.22),
    "wrong_role": ("wrong role", "s", "#8e44ad", 40, 0.22),
    "expectation_failed": ("expectation failed", "v", "#b7950b", 55, -0.22),
    "critical": ("critical event", "*", "#a11111", 150, 0.0),
    "refused": ("action refused", "P", "#7f8c8d", 45, 0.22),
    "extra": ("action of no step", "o", "#7f8c8d", 35, 0.0),
    "hint": ("hint used", "h", "#1f77b4", 35, 0.22),
}

# Vertical lines: kind -> (label, colour, line style).
LINES: dict[str, tuple[str, str, str]] = {
    "alarm": ("alarm", "#c0392b", "--"),
    "fault_alarm": ("fault alarm", "#c0392b", ":"),
    "fault_injected": ("fault injected", "#6c3483", "-."),
    "fault_cleared": ("fault cleared", "#6c3483", ":"),
    "critical": ("critical event (no step)", "#a11111", "-"),
}

BAR_KINDS = ("completed", "skipped", "interrupted", "open")
BAR_COLOURS = {"completed": "#2e86c1", "skipped": "#e59866", "interrupted": "#d5dbdb",
               "open": "#aab7b8"}
BAR_HATCH = {"skipped": "//", "interrupted": ".."}
BAR_LABELS = {"completed": "under way → completed", "skipped": "under way → skipped",
              "interrupted": "under way → interrupted (alarm, re-entered)",
              "open": "still under way at the end of the log"}

NO_STEP = "(no step)"


@dataclass
class Row:
    step: str
    label: str
    critical: bool = False


@dataclass
class Bar:
    step: str
    start: float
    end: float
    how: str  # a key of BAR_COLOURS


@dataclass
class Mark:
    step: str  # a row's step, or NO_STEP
    t: float
    kind: str  # a key of MARKS


@dataclass
class VLine:
    t: float
    kind: str  # a key of LINES


@dataclass
class Timeline:
    """What the timeline shows, already worked out from the log (see report.py)."""

    rows: list[Row]
    bars: list[Bar] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    lines: list[VLine] = field(default_factory=list)
    start: float = 0.0
    end: float = 0.0


def _rc() -> dict:
    return {
        "svg.hashsalt": "twinlang-report",
        "svg.fonttype": "path",
        "svg.image_inline": True,
        "font.family": "DejaVu Sans",
        "font.size": 9.0,
        "axes.titlesize": 11.0,
        "path.simplify": True,
        "axes.unicode_minus": True,
    }


def _shorten(text: str, n: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _svg(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "twinlang"})
    return buf.getvalue()


def timeline_svg(tl: Timeline) -> bytes:
    """The timeline chart as SVG bytes."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = list(tl.rows)
    if any(m.step == NO_STEP for m in tl.marks):
        rows.append(Row(NO_STEP, NO_STEP))
    index = {r.step: i for i, r in enumerate(rows)}
    span = max(tl.end - tl.start, 1e-9)
    min_width = span * 0.004  # a step that took no time still shows

    with matplotlib.rc_context(_rc()):
        height = 2.2 + 0.26 * max(len(rows), 1)
        fig = Figure(figsize=(10.0, height), dpi=100, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for how in BAR_KINDS:
            spans = {}
            for b in tl.bars:
                if b.how == how and b.step in index:
                    spans.setdefault(b.step, []).append(
                        (b.start, max(b.end - b.start, min_width)))
            for step, xs in spans.items():
                ax.broken_barh(xs, (index[step] - 0.35, 0.7), facecolors=BAR_COLOURS[how],
                               edgecolor="#1a1a1a", linewidth=0.4,
                               hatch=BAR_HATCH.get(how))
        for kind, (_label, colour, style) in LINES.items():
            for v in tl.lines:
                if v.kind == kind:
                    ax.axvline(v.t, color=colour, linestyle=style, linewidth=1.1, zorder=1)
        for kind, (_label, marker, colour, size, dy) in MARKS.items():
            pts = [(m.t, index[m.step] + dy) for m in tl.marks
                   if m.kind == kind and m.step in index]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker, s=size,
                           c=colour, edgecolors="#1a1a1a", linewidths=0.4, zorder=3)

        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([_shorten(r.label) for r in rows])
        for tick, r in zip(ax.get_yticklabels(), rows, strict=True):
            if r.critical:
                tick.set_fontweight("bold")
        ax.set_ylim(len(rows) - 0.5, -0.5)
        pad = span * 0.02
        ax.set_xlim(tl.start - pad, tl.end + pad)
        ax.set_xlabel("simulation time (s)")
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.set_title("The run against the expected steps (critical steps in bold)")

        handles = []
        present_bars = {b.how for b in tl.bars}
        for how in BAR_KINDS:
            if how in present_bars:
                handles.append(Patch(facecolor=BAR_COLOURS[how], edgecolor="#1a1a1a",
                                     hatch=BAR_HATCH.get(how),
                                     label=BAR_LABELS[how]))
        present_marks = {m.kind for m in tl.marks}
        for kind, (label, marker, colour, _size, _dy) in MARKS.items():
            if kind in present_marks:
                handles.append(Line2D([], [], linestyle="none", marker=marker, color=colour,
                                      markeredgecolor="#1a1a1a", label=label))
        present_lines = {v.kind for v in tl.lines}
        for kind, (label, colour, style) in LINES.items():
            if kind in present_lines:
                handles.append(Line2D([], [], color=colour, linestyle=style, label=label))
        if handles:
            fig.legend(handles=handles, loc="outside lower center",
                       ncol=min(4, len(handles)), frameon=False, fontsize=8)
        return _svg(fig)
