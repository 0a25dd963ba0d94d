"""The terminal summary of an assessment."""

from __future__ import annotations

from .model import Assessment


def summary(a: Assessment, *, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    ok, bad = paint("PASS", "1;32"), paint("FAIL", "1;31")
    r = a.run
    lines = [f"{a.scenario.get('title') or a.scenario['id']} — procedure `{r.procedure}`",
             f"trainee {r.trainee or 'unknown'}, seed {r.seed}, {r.outcome}"
             + (f" ({r.reason})" if r.reason else "")
             + f" after {r.end - r.start:.1f} s of simulated time"]
    for w in a.warnings:
        lines.append(paint("warning", "1;33") + f": {w}")
    for c in a.competencies:
        if not c.assessed:
            continue
        lines.append("")
        lines.append(f"{ok if c.passed else bad} {c.title or c.id} ({c.variant}): score "
                     f"{c.score * 100:.1f} % (pass {c.pass_score * 100:g} %)")
        for t in c.thresholds:
            mark = "  ok " if t.met else paint("  no ", "31")
            crit = " [critical]" if t.critical else ""
            lines.append(f"{mark} {t.requirement}{crit}: {t.measured_text}")
        for item in c.critical_items:
            if item.failed:
                lines.append(paint("  critical", "1;31") + f" step `{item.step}` failed: "
                             + "; ".join(item.reasons))
        for reason in c.reasons:
            lines.append(f"  reason: {reason}")
    lines.append("")
    lines.append(f"overall: {ok if a.passed else bad}")
    return "\n".join(lines) + "\n"
