"""How building and verifying the step graph scales with the size of a procedure.

::

    .venv/bin/python bench/graph_scaling.py                  # 1,000, 10,000 and 100,000 steps
    .venv/bin/python bench/graph_scaling.py --sizes 1000 5000 --repeat 3
    .venv/bin/python bench/graph_scaling.py --profile 100000  # where the time goes

A procedure of N steps is a chain of maintenance cycles on a conveyor train (LOTO of the
drive disconnect, the take-up valve and the accumulator; a bleed retried by a bounded
`goto`; a `choose` between two ways of doing the work; a `parallel` inspection; an alarm
handler during the work; the release of the lockout and a `call` of a sub-procedure), the
equipment declared with the standard library's kinds.  The cycles are written as twinlang
text and parsed in chunks (one file may hold at most 4 MiB); only the build and the
verification (the structural rules and every registered rule pack, the same as
`twinlang check` runs: `twinlang.graph.verify_graph`) are timed.

Prints the CPU time for each size and the ratios between consecutive sizes; a linear
implementation gives 10x for 10x the steps.  The target for 100k/10k is at most 15x.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twinlang import ast, parse  # noqa: E402
from twinlang.diagnostics import DiagnosticSink  # noqa: E402
from twinlang.graph import verify_graph  # noqa: E402
from twinlang.graph.build import build_graph  # noqa: E402
from twinlang.semantics import check_program  # noqa: E402

HEADER = """\
scenario "Conveyor maintenance cycles" {
  id graph-scaling
  risk high
}
use stdlib.equipment.{Disconnect, Motor, Conveyor, PushButton, GateValve, Accumulator}

role mechanic "Authorized employee (mechanic)" { qualified }
role electrician "Authorized employee (electrician)" { qualified }
role operator "Affected employee"
role supervisor "Shift supervisor"

equipment DS-1 "Drive disconnect" is Disconnect {
  rated_voltage = 480 V
  feeds M-1
}
equipment M-1 "Drive motor" is Motor {
  rated_power = 7.5 kW
  coast_down = 25 s
  feeds C-1
}
equipment C-1 "Conveyor" is Conveyor {
  belt_speed = 1.2 m/s
  length = 18 m
}
equipment PB-1 "Stop button" is PushButton {
  function = stop
}
equipment V-1 "Take-up valve" is GateValve {
  size = 1 in
  isolates ACC-1
}
equipment ACC-1 "Take-up accumulator" is Accumulator {
  precharge = 90 bar
  working_pressure = 140 bar
  volume = 10 L
}

procedure handover "Hand the line back" {
  performed_by supervisor
  step log: record "Line handed back to production"
  step brief: communicate operator "The conveyor is back in service"
}

procedure cycles "Maintenance cycles on conveyor C-1" {
  performed_by mechanic
  roles mechanic, electrician, operator, supervisor
  energy electrical from DS-1, mechanical from C-1, hydraulic from ACC-1
  hazard nip "Belt and pulley nip points" class entanglement
  ppe "safety glasses", "gloves"
  step begin: record "Cycles start"
}
"""

#: One maintenance cycle (``{i}`` is the cycle number).
CYCLE = """\
  step notify_{i} "Tell the operator": notify operator "C-1 will be locked out (cycle {i})"
  step stop_{i} "Stop the conveyor": press PB-1 expect M-1.speed <= 0.1 rpm within 40 s
  step open_{i} "Open the disconnect": open DS-1 expect DS-1.handle == off performed_by electrician
  step close_{i} "Close the take-up valve": close V-1 expect V-1.position == 0 % within 2 min
  step lock_{i} "Lock and tag" {{
    apply lock to DS-1, V-1
    apply tag to DS-1, V-1
    critical
  }}
  step bleed_{i} "Bleed the accumulator" {{
    bleed ACC-1
    expect ACC-1.pressure < 1 bar within 2 min
    critical
  }}
  if ACC-1.pressure > 1 bar {{
    step reread_{i} "Read the gauge again": record ACC-1.pressure
    goto bleed_{i} up to 3 times
  }}
  step tryout_{i} "Try to start" {{
    try_start C-1
    expect C-1.speed == 0 m/s
    critical
    verified_by supervisor
  }}
  choose "How is the belt repaired?" {{
    option "Replace it" {{
      step replace_{i} "Replace the belt": work "Replace the belt" for 45 min
    }}
    option "Splice it" {{
      step splice_{i} "Splice the belt": work "Splice the belt" for 20 min
      step cure_{i} "Let the splice cure": wait 10 min
    }}
  }}
  on alarm ACC-1.pressure > 5 bar during replace_{i}, splice_{i} -> goto bleed_{i} up to 3 times
  parallel {{
    branch belt {{
      step inspect_{i} "Inspect the belt": inspect C-1
    }}
    branch gauge {{
      step gauge_{i} "Read the take-up gauge": record ACC-1.pressure
    }}
  }}
  step clear_{i} "Clear the area": clear area "Tools and old belt removed"
  step count_{i} "Account for everyone": account for mechanic, electrician, operator
  step unlock_{i} "Remove locks and tags" {{
    remove lock from DS-1, V-1
    remove tag from DS-1, V-1
  }}
  step notify_end_{i} "Tell the operator": notify operator "Locks removed from C-1"
  step reopen_{i} "Reopen the take-up valve": open V-1
  step power_{i} "Close the disconnect": close DS-1 performed_by electrician
  call handover
"""
STEPS_PER_CYCLE = 21  # 19 of its own and the 2 of `handover`
CYCLES_PER_CHUNK = 200


def procedure(steps: int, workdir: Path):
    """The `cycles` procedure with about ``steps`` steps, and the module it belongs to."""
    path = workdir / "cycles.twin"
    path.write_text(HEADER, encoding="utf-8")
    sink = DiagnosticSink()
    program = check_program([path], sink, {})
    errors = [d for d in sink if d.severity.value == "error"]
    if errors:
        raise SystemExit(f"the benchmark header does not check: {errors[0].message}")
    module = program.roots[0]
    proc = next(i for i in module.ast.items
                if isinstance(i, ast.Procedure) and i.name.name == "cycles")
    body = list(proc.body)
    cycles = max(1, steps // STEPS_PER_CYCLE)
    for start in range(0, cycles, CYCLES_PER_CHUNK):
        end = min(cycles, start + CYCLES_PER_CHUNK)
        text = "".join(CYCLE.format(i=i) for i in range(start, end))
        chunk, diags = parse(f"procedure chunk {{\n{text}}}\n", f"cycles-{start}.twin")
        if chunk is None:
            raise SystemExit(f"a cycle does not parse: {diags[0].message}")
        body.extend(chunk.items[0].body)
    return proc.model_copy(update={"body": tuple(body)}), module


def measure(proc, module) -> tuple[float, float, int, int, int, int]:
    """CPU seconds to build and to verify (other processes on the machine do not count),
    steps, nodes, edges, diagnostics."""
    gc.collect()
    sink = DiagnosticSink()
    t0 = time.process_time()
    sg = build_graph(proc, module, sink)
    t1 = time.process_time()
    verify_graph(sg, sink)
    t2 = time.process_time()
    g = sg.graph
    return t1 - t0, t2 - t1, len(sg.steps()), len(g), g.number_of_edges(), len(sink)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the best counts")
    parser.add_argument("--profile", type=int, metavar="STEPS",
                        help="profile build + verify at this size instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            proc, module = procedure(args.profile, Path(tmp))
            prof = cProfile.Profile()
            prof.enable()
            measure(proc, module)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
            return 0
        print(f"{'steps':>8} {'nodes':>8} {'edges':>8} {'diags':>6} {'build s':>8} "
              f"{'verify s':>9} {'total s':>8}")
        totals = []
        for size in args.sizes:
            proc, module = procedure(size, Path(tmp))
            runs = [measure(proc, module) for _ in range(args.repeat)]
            build, verify, steps, nodes, edges, diags = min(runs, key=lambda r: r[0] + r[1])
            totals.append((size, build + verify))
            print(f"{steps:>8,} {nodes:>8,} {edges:>8,} {diags:>6} {build:>8.2f} "
                  f"{verify:>9.2f} {build + verify:>8.2f}", flush=True)
        for (a, ta), (b, tb) in itertools.pairwise(totals):
            print(f"ratio {b // 1000}k/{a // 1000}k: {tb / ta:.1f}x for {b / a:.0f}x the steps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
