"""Steps per second of the player against a bare PyBullet loop over the same URDF scene.

For each example (compiled into a temporary folder): the bare loop loads the scene's URDFs
as the world does (fixed bases, inertia from the file) and calls only ``stepSimulation``;
the player runs the expert policy with the behaviours, the engine, the event log (to a
file) and the world, for the first ``--seconds`` of simulated time.  Prints steps/s of
both, the ratio player / bare (target >= 50 %) and the player's real-time factor
(simulated / wall time, target >= 100x headless).  With ``--repeat N`` the bare loop and
the player run alternately N times per example and the table shows the medians (the ratio
is the median of the per-pair ratios); ``--process-every K`` sets the player's process-model
rate (runner.PROCESS_EVERY by default; 1 = every physics step, as before).  ``--profile N``
lists the N hottest functions of the player (cProfile, own time).

    .venv/bin/python bench/player_speed.py [--seconds 600] [--bare-steps 24000] [--repeat 5]
        [--process-every K] [--profile 15]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DT = 1.0 / 240.0


def bare_rate(folder: Path, steps: int) -> float:
    """Steps/s of load + stepSimulation only over the bundle's scene."""
    import pybullet as p

    scene = json.loads((folder / "scene.json").read_text(encoding="utf-8"))
    cid = p.connect(p.DIRECT)
    try:
        p.setTimeStep(DT, physicsClientId=cid)
        p.setGravity(0, 0, -9.81, physicsClientId=cid)
        for item in scene["equipment"]:
            p.loadURDF(str(folder / item["model"]), basePosition=item["position"],
                       useFixedBase=True, flags=p.URDF_USE_INERTIA_FROM_FILE,
                       physicsClientId=cid)
        t0 = time.perf_counter()
        for _ in range(steps):
            p.stepSimulation(physicsClientId=cid)
        return steps / (time.perf_counter() - t0)
    finally:
        p.disconnect(physicsClientId=cid)


def player_rate(folder: Path, seconds: float, log: Path, profile: int = 0,
                process_every: int | None = None) -> tuple[float, float, str, str]:
    """Steps/s and real-time factor of the full player; its outcome; a profile text."""
    from twinlang.player.runner import play

    prof = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if prof is not None:
        prof.enable()
    extra = {} if process_every is None else {"process_every": process_every}
    result = play(folder, log_path=log, max_time=seconds, **extra)
    if prof is not None:
        prof.disable()
    wall = time.perf_counter() - t0
    text = ""
    if prof is not None:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(profile)
        text = out.getvalue()
    return round(result.time / DT) / wall, result.time / wall, result.outcome, text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600.0,
                    help="simulated time of each player run (default 600 s)")
    ap.add_argument("--bare-steps", type=int, default=24000,
                    help="steps of the bare PyBullet loop (default 24000 = 100 s)")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="profile the player runs and list the N hottest functions")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="alternate bare loop and player N times; print medians (default 1)")
    ap.add_argument("--process-every", type=int, default=None, metavar="K",
                    help="physics steps per process-model advance (default: the runner's)")
    ap.add_argument("examples", nargs="*", type=Path,
                    help="the .twin files (default: examples/*.twin)")
    args = ap.parse_args(argv)
    from twinlang.compile import compile_files

    examples = args.examples or sorted((ROOT / "examples").glob("*.twin"))
    print(f"{'example':<20} {'bare steps/s':>13} {'player steps/s':>15} {'ratio':>7} "
          f"{'real-time':>10}  outcome")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for example in examples:
            result = compile_files([example], Path(tmp) / example.stem)
            if result.report.has_errors or not result.bundles:
                print(f"{example.stem}: does not compile", file=sys.stderr)
                failed = True
                continue
            folder = Path(result.bundles[0])
            bares, rates, rtfs, ratios = [], [], [], []
            for _ in range(max(1, args.repeat)):
                bare = bare_rate(folder, args.bare_steps)
                rate, rtf, outcome, text = player_rate(folder, args.seconds,
                                                       Path(tmp) / f"{example.stem}.jsonl",
                                                       args.profile, args.process_every)
                bares.append(bare)
                rates.append(rate)
                rtfs.append(rtf)
                ratios.append(rate / bare)
            med = statistics.median
            print(f"{example.stem:<20} {med(bares):>13,.0f} {med(rates):>15,.0f} "
                  f"{med(ratios):>7.0%} {med(rtfs):>9,.0f}x  {outcome}", flush=True)
            if text:
                print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
