"""Electrical safety: the electrically safe work condition, NFPA 70E 120.5 (2021) / 120.6 (2024).

Scope.  The rules apply to an `electrical` energy source of 50 V or more (the highest
voltage-typed parameter of the equipment in its circuit; unknown counts as 50 V or more)
whose circuit has parts a worker can be exposed to and test: equipment in the source's
chain with a state of type voltage (a panelboard's phase voltages, a capacitor's
voltage), or parts the procedure tests for absence of voltage.  Isolating a motor drive
for mechanical work stays with the energy-control pack (its try-out is the verification).

On every path to `work`, for each such source: the disconnecting device opened → where its
contacts can be seen, visually verified open → stored electrical energy in the circuit
released → the disconnecting device locked (release and lock in either order: NFPA 70E
lists the release first, 1910.147(d)(5) after the lock) → absence of voltage tested →
grounds, where the procedure grounds the circuit, applied after the test.  Every
absence-of-voltage test is live-dead-live with a contact tester rated for the circuit, and
the procedure declares PPE and approach boundaries no smaller than Table 130.4(E)(a).
Interrupting the load before the disconnect is opened is the shut-down of the
energy-control pack (TW0601).
"""

from __future__ import annotations

from ...diagnostics import Label
from ...diagnostics.codes import define
from ..dataflow import ordered_phases, witness
from ..model import END, START
from . import RuleContext, rule
from ._electrical_circuits import (
    AOV_VERBS,
    aov_parts,
    circuit_classes,
    circuits,
    is_proximity,
    param_value,
    to_si,
    typed_params,
    visible_states,
    volts_text,
)
from ._electrical_testers import failure_edges, proven_in_step, proves, tests_by_tester

PACK = "electrical safety"

SEQUENCE = define("TW0801", "eswc-sequence", "error",
    "a path to `work` that misses or reorders a step of the electrically safe work condition",
    """
    Before anyone works on or near exposed conductors or circuit parts of 50 V or more,
    the circuit is put in an electrically safe work condition, in this order
    (NFPA 70E 120.5 (2021) / 120.6 (2024)): the disconnecting device of every source opened
    after the load is interrupted; where the blades or contacts can be seen, visually
    verified open; stored electrical energy (capacitors) released; lockout devices applied;
    the absence of voltage tested; and, where the circuit is grounded, the grounds applied
    only after that test, never onto a part not yet proven dead.

    twinlang checks this on every path to each `work` step for every `electrical` source
    whose circuit has testable parts (equipment with a state of type voltage). Visual
    verification is needed for devices whose kind shows the contacts (a `blades` or
    `contacts` state, or `racked` on a draw-out breaker): an `inspect` of the device or an
    expectation on that state. The release of stored energy may come before or after the
    lock (1910.147(d)(5) puts it after), but before the test. Grounds are required after
    the test when the procedure grounds the circuit at all.

    Fix: add the missing step, or move it to its place in the order.
    """, PACK)

LIVE_DEAD_LIVE = define("TW0802", "live-dead-live", "error",
    "an absence-of-voltage test not proven on a known source before and after",
    """
    A tester that reads nothing may be dead rather than the circuit. Before and after
    each absence-of-voltage test the tester is verified on a known voltage source
    (NFPA 70E 120.5(7) (2021) / 120.6(7) (2024), "live-dead-live"): a weak battery that
    reads 0 V on a live bus is caught by the check after the test.

    twinlang looks for the same tester used on a known source (equipment outside the
    circuit being tested: `verify VT-1 on PU-1`) on every path to the test, and again on
    every path from the test to the work.

    Fix: add `verify TESTER on KNOWN_SOURCE` before the first test and after the last.
    """, PACK)

PROXIMITY = define("TW0803", "proximity-tester", "error",
    "an absence-of-voltage test made with a proximity (non-contact) tester",
    """
    Proximity (non-contact) and solenoid testers should not be used to prove the absence
    of AC voltage (DOE Electrical Safety Handbook 2.13): shielding, cable construction or
    a low battery make them read nothing on a live conductor. NFPA 70E 120.5(7) requires an
    adequately rated portable test instrument. twinlang reads the tester's type from its
    parameters (`tester_type = proximity`).

    Fix: test with a contact tester rated for the circuit.
    """, PACK)

TESTER_RATING = define("TW0804", "tester-underrated", "error",
    "an absence-of-voltage test with a tester rated below the circuit voltage",
    """
    The test instrument must be rated for the circuit (NFPA 70E 120.5(7)). twinlang
    compares the highest voltage parameter of the tester (`max_voltage`) with the voltage of
    the circuit it tests.

    Fix: use a tester rated for the circuit voltage.
    """, PACK)

PPE_BOUNDARY = define("TW0805", "electrical-ppe-boundary", "error",
    "work near exposed parts of 50 V or more without PPE or approach boundaries",
    """
    Work on or near exposed parts of 50 V or more needs shock protection and the shock
    approach boundaries (NFPA 70E 130.4, Table 130.4(E)(a)): until the electrically safe
    work condition is established the parts are treated as energized. A procedure with such
    a source (an `electrical` source whose circuit has testable parts, as for TW0801)
    declares its PPE (`ppe "..."`) and its boundaries: `boundary limited 3.5 ft`, and above
    150 V also `restricted 1 ft`.

    Fix: declare the PPE and the boundaries from the equipment's label or the table.
    """, PACK)

BOUNDARY_SMALL = define("TW0806", "approach-boundary-too-small", "error",
    "an approach boundary smaller than NFPA 70E allows for the voltage",
    """
    NFPA 70E Table 130.4(E)(a) (2021, AC) gives the minimum shock approach boundaries by
    nominal voltage, exposed fixed circuit parts: 50-150 V limited 1.0 m (3 ft 6 in);
    151-750 V limited 1.0 m (3 ft 6 in), restricted 0.3 m (1 ft 0 in); 751 V-15 kV limited
    1.5 m (5 ft 0 in), restricted 0.7 m (2 ft 2 in). Above 15 kV twinlang uses the rows of
    an earlier edition of the table (to be confirmed against the current one): 15.1-36 kV
    1.8 m (6 ft 0 in) and 0.8 m (2 ft 7 in); 36.1-46 kV 2.5 m (8 ft 0 in) and 0.8 m
    (2 ft 9 in); 46.1-72.5 kV 2.5 m (8 ft 0 in) and 1.0 m (3 ft 3 in). Either the metric or
    the imperial figure is accepted; the voltage is the highest voltage parameter of the
    equipment in the source's circuit. An `arc_flash` boundary may not be smaller than the
    arc-flash boundary on the equipment's label (its `arc_flash_boundary` parameter). A
    smaller boundary lets people closer than the standard allows.

    Fix: use at least the table's distance for the circuit voltage.
    """, PACK)

#: NFPA 70E Table 130.4(E)(a) (2021), AC, exposed fixed circuit parts (domain-facts 3.2):
#: (upper voltage of the row, limited (metric, imperial text, m), restricted (...) or None).
_TABLE = (
    (150.0, "50 V-150 V", (1.0, "1.0 m (3 ft 6 in)"), None),
    (750.0, "151 V-750 V", (1.0, "1.0 m (3 ft 6 in)"), (0.3, "0.3 m (1 ft 0 in)")),
    (15e3, "751 V-15 kV", (1.5, "1.5 m (5 ft 0 in)"), (0.66, "0.7 m (2 ft 2 in)")),
    (36e3, "15.1 kV-36 kV", (1.8, "1.8 m (6 ft 0 in)"), (0.787, "0.8 m (2 ft 7 in)")),
    (46e3, "36.1 kV-46 kV", (2.438, "2.5 m (8 ft 0 in)"), (0.8, "0.8 m (2 ft 9 in)")),
    (72.5e3, "46.1 kV-72.5 kV", (2.438, "2.5 m (8 ft 0 in)"), (0.99, "1.0 m (3 ft 3 in)")),
)
_TOLERANCE = 1e-3  # m


# ---------------------------------------------------------------- the safe work condition


def _works(ctx: RuleContext) -> list:
    return ctx.nodes_where(lambda n: ctx.has_op(n, "work"))


def _tags(tags) -> str:
    return ", ".join(f"`{t}`" for t in sorted(tags))


_TEXT = {
    "open": "the disconnecting device of `{src}` is not opened",
    "visual": "it is not visually verified that the blades of {visible} are open",
    "release": "the stored electrical energy of {stored} is not released",
    "lock": "the disconnecting device of `{src}` is not locked or tagged",
    "test": "the absence of voltage on the circuit of `{src}` is not tested",
    "ground": "the grounds are not applied after the absence-of-voltage test",
}
_HELP = {
    "open": "interrupt the load, then open {devices}",
    "visual": "after opening it, look at the contacts: `inspect {device}`, or "
              "`expect {device}.{state} == {shown}`",
    "release": "discharge {stored} after the disconnect is open and before the test",
    "lock": "`apply lock to` {devices} before the absence-of-voltage test",
    "test": "test each phase, phase to phase and phase to ground, with a contact tester "
            "proven on a known source before and after",
    "ground": "apply the grounds after the absence-of-voltage test, just before the work",
}


@rule(SEQUENCE, PACK, "NFPA 70E 120.5 (2021) / 120.6 (2024)")
def eswc_sequence(ctx: RuleContext):
    works = _works(ctx)
    if not works:
        return
    for c in circuits(ctx):
        head = ["open", *(["visual"] if c.visible else [])]
        tail = ["test", *(["ground"] if c.grounded else [])]
        sequences = [[*head, "lock", *tail]]
        if c.stored:
            sequences.append([*head, "release", *tail])
        classes = circuit_classes(ctx, c)
        first = min(c.visible, default="")
        fmt = {"src": c.src.equipment, "visible": _tags(c.visible), "stored": _tags(c.stored),
               "devices": _tags(c.devices) if c.devices else "its disconnecting device",
               "device": first, "state": min(visible_states(ctx, first), default="")}
        fmt["shown"] = "disconnected" if fmt["state"] == "racked" else "open"
        seen = set()
        for phases in sequences:
            result = ordered_phases(ctx.g, START, phases, classes)
            for w in works:
                missing = result.missing(w) if result.reached(w) else None
                if missing is None or (w, missing) in seen:
                    continue
                seen.add((w, missing))
                path = witness(result, w)
                notes = []
                k = phases.index(missing)
                early = next((n for n in path[:-1] if missing in classes(n)), None)
                if early is not None and k > 0:
                    notes.append(f"step `{ctx.g.nodes[early]['name']}` ({missing}) comes before "
                                 f"the {phases[k - 1]} on this path; the order is "
                                 + " → ".join(phases))
                text = _TEXT[missing].format(**fmt)
                yield ctx.diag(SEQUENCE, f"before `{ctx.g.nodes[w]['name']}`, {text}",
                               w, path=path, notes=notes,
                               labels=[Label(span=c.src.node.span,
                                             message="electrical source in scope")],
                               help=_HELP[missing].format(**fmt))


# ---------------------------------------------------------------- testers


def _also(ctx: RuleContext, nodes) -> list[str]:
    if not nodes:
        return []
    return ["the same holds for " + ", ".join(f"`{ctx.g.nodes[x]['name']}`" for x in nodes)]


@rule(LIVE_DEAD_LIVE, PACK, "NFPA 70E 120.5(7) (2021) / 120.6(7) (2024)")
def live_dead_live(ctx: RuleContext):
    cs = circuits(ctx)
    if not cs:
        return
    chains = frozenset().union(*(c.chain for c in cs))
    ends = _works(ctx) or [END]
    for tester, nodes in tests_by_tester(ctx, chains).items():
        def live(n, tester=tester, cache={}):  # noqa: B006 - one cache per tester
            if n not in cache:
                cache[n] = frozenset({"live"}) if ctx.g.nodes[n]["kind"] == "step" and any(
                    proves(a, v, t, tester, chains) for v, t, a in ctx.verbs(n)) else frozenset()
            return cache[n]

        before = ordered_phases(ctx.g, START, ["live"], live)
        bad = [x for x in nodes if before.reached(x) and before.missing(x)
               and not proven_in_step(ctx, x, tester, chains, before=True)]
        if bad:
            x = bad[0]
            yield ctx.diag(LIVE_DEAD_LIVE,
                           f"the tester `{tester}` is not proven on a known source before "
                           f"`{ctx.g.nodes[x]['name']}`", x, path=witness(before, x),
                           notes=_also(ctx, bad[1:]),
                           help=f"add `verify {tester} on KNOWN_SOURCE` (a proving unit or a "
                           "known live circuit) before the first test")
        for w in ends:
            after = ordered_phases(ctx.g, w, ["live"], live, reverse=True)
            bad = [x for x in nodes if after.reached(x) and after.missing(x)
                   and not proven_in_step(ctx, x, tester, chains, before=False)]
            if bad:
                x = bad[-1]
                target = "the end" if w == END else f"`{ctx.g.nodes[w]['name']}`"
                yield ctx.diag(LIVE_DEAD_LIVE,
                               f"the tester `{tester}` is not proven on a known source again "
                               f"after `{ctx.g.nodes[x]['name']}` (before {target})", x,
                               path=list(reversed(witness(after, x))),
                               notes=_also(ctx, bad[:-1]),
                               help=f"add `verify {tester} on KNOWN_SOURCE` after the last test: "
                               "a tester that failed during the test reads 0 V on live parts")
                break
        yield from _after_failed_check(ctx, tester, live, ends)


def _after_failed_check(ctx: RuleContext, tester: str, live, ends):
    for u, v, check in failure_edges(ctx, tester, live):
        result = ordered_phases(ctx.g, v, ["live"], live)
        for w in ends:
            if w == v or not result.reached(w) or not result.missing(w):
                continue
            yield ctx.diag(LIVE_DEAD_LIVE,
                           f"after `{tester}` fails the known-source check of "
                           f"`{ctx.g.nodes[check]['name']}`, a path reaches "
                           + ("the end" if w == END else f"`{ctx.g.nodes[w]['name']}`")
                           + " without proving a tester again", u,
                           path=[check, *witness(result, w)],
                           help="end the failure branch with `abort \"...\"`, or prove a tester "
                           "on the known source again before the work")
            break


@rule(PROXIMITY, PACK, "NFPA 70E 120.5(7); DOE Electrical Safety Handbook 2.13")
def proximity_tester(ctx: RuleContext):
    cs = circuits(ctx)
    if not cs:
        return
    chains = frozenset().union(*(c.chain for c in cs))
    uses: dict[str, list] = {}
    for n in ctx.step_nodes():
        for verb, targets, action in ctx.verbs(n):
            if verb not in AOV_VERBS or not aov_parts(action, targets, chains)[0]:
                continue
            for t, ref in zip(targets, action.targets, strict=False):
                if t not in chains and is_proximity(ctx, t):
                    uses.setdefault(t, []).append((n, ref))
    for t, found in uses.items():
        n, ref = found[0]
        yield ctx.diag(PROXIMITY,
                       f"`{t}` is a proximity (non-contact) tester: it cannot prove the absence "
                       f"of voltage in step `{ctx.g.nodes[n]['name']}`", ref.span,
                       notes=_also(ctx, list(dict.fromkeys(x for x, _r in found[1:]))),
                       help="test with a contact tester rated for the circuit "
                       "(`tester_type = contact`)")


@rule(TESTER_RATING, PACK, "NFPA 70E 120.5(7) (2021) / 120.6(7) (2024)")
def tester_rating(ctx: RuleContext):
    reported = set()
    for c in circuits(ctx):
        if c.volts is None:
            continue
        for n in ctx.step_nodes():
            for verb, targets, action in ctx.verbs(n):
                if verb not in AOV_VERBS or not aov_parts(action, targets, c.chain)[0]:
                    continue
                for t, ref in zip(targets, action.targets, strict=False):
                    rating = max(typed_params(ctx, t, "voltage"), default=None)
                    if t in c.chain or t in reported or rating is None or rating >= c.volts:
                        continue
                    reported.add(t)
                    yield ctx.diag(TESTER_RATING,
                                   f"tester `{t}` is rated for {volts_text(rating)}, less than the "
                                   f"{volts_text(c.volts)} of the circuit of `{c.src.equipment}`",
                                   ref.span, help="use a tester rated for the circuit voltage")


# ---------------------------------------------------------------- PPE and boundaries


def _row(volts: float):
    for row in _TABLE:
        if volts <= row[0]:
            return row
    return None


@rule(PPE_BOUNDARY, PACK, "NFPA 70E 130.4, Table 130.4(E)(a)")
def ppe_boundary(ctx: RuleContext):
    known = [c for c in circuits(ctx) if c.volts is not None]
    if not known:
        return
    c = max(known, key=lambda c: c.volts)
    names = {b.name.name for b in ctx.proc.boundaries}
    missing = []
    if not ctx.proc.ppe:
        missing.append("no PPE")
    need = ["limited", *(["restricted"] if c.volts > 150 else [])]
    lacking = [b for b in need if b not in names]
    if lacking:
        missing.append("no " + " or ".join(lacking) + " approach boundary")
    if not missing:
        return
    row = _row(c.volts)
    notes = []
    if row is not None:
        notes.append(f"NFPA 70E Table 130.4(E)(a), {row[1]}: limited {row[2][1]}"
                     + (f", restricted {row[3][1]}" if row[3] else ""))
    yield ctx.diag(PPE_BOUNDARY,
                   f"procedure `{ctx.proc.name.name}` exposes workers to {volts_text(c.volts)} "
                   f"parts of `{c.src.equipment}` but declares " + " and ".join(missing),
                   ctx.proc.name.span, notes=notes,
                   labels=[Label(span=c.src.node.span, message="electrical source in scope")],
                   help="declare " + " and ".join(
                       (['the PPE: `ppe "..."`'] if not ctx.proc.ppe else [])
                       + ([f"the boundaries for {volts_text(c.volts)}: `boundary "
                           + ", ".join(f"{b} {_metric(row, b)}" for b in need) + "`"]
                          if lacking else [])))


@rule(BOUNDARY_SMALL, PACK, "NFPA 70E Table 130.4(E)(a)")
def boundary_small(ctx: RuleContext):
    known = [c for c in circuits(ctx) if c.volts is not None]
    if not known:
        return
    c = max(known, key=lambda c: c.volts)
    row = _row(c.volts)
    label_afb = max((si for t in c.chain
                     if (si := to_si(param_value(ctx, t, "arc_flash_boundary"), "length"))
                     is not None), default=None)
    for b in ctx.proc.boundaries:
        value = to_si(b.value, "length")
        if value is None:
            continue
        name = b.name.name
        if name in ("limited", "restricted") and row is not None:
            minimum = row[2] if name == "limited" else row[3]
            if minimum is None or value >= minimum[0] - _TOLERANCE:
                continue
            yield ctx.diag(BOUNDARY_SMALL,
                           f"the {name} approach boundary {_written(b.value)} is smaller than "
                           f"{minimum[1]}, the minimum for {volts_text(c.volts)}",
                           b.value.span,
                           notes=[f"NFPA 70E Table 130.4(E)(a), {row[1]}, exposed fixed parts"],
                           labels=[Label(span=c.src.node.span,
                                         message="electrical source in scope")],
                           help=f"use at least {minimum[1]}")
        elif name == "arc_flash" and label_afb is not None and value < label_afb - _TOLERANCE:
            yield ctx.diag(BOUNDARY_SMALL,
                           f"the arc flash boundary {_written(b.value)} is smaller than the "
                           f"{label_afb:g} m on the equipment's label", b.value.span,
                           help=f"use the labelled arc flash boundary, {label_afb:g} m or more")


def _metric(row, name: str) -> str:
    entry = None if row is None else row[2] if name == "limited" else row[3]
    return entry[1].split(" (")[0] if entry else "..."


def _written(value) -> str:
    return value.text + (f" {value.unit}" if getattr(value, "unit", None) else "")
