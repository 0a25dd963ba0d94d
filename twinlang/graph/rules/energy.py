"""Energy control (lockout/tagout), 29 CFR 1910.147.

For every energy source in scope of a procedure, on every path to a `work` step:
notify → shut down → isolate → lock/tag → release stored energy → verify, in that order
(1910.147(c)(9), (d)(1)-(6)).  Locks come off only by their owner, after the work, the
area cleared and everyone accounted for, and affected employees are told afterwards
(1910.147(e)).  Group lockout and shift change, when declared, follow (f)(3) and (f)(4).
"""

from __future__ import annotations

from ...diagnostics import Label
from ...diagnostics.codes import define
from ..dataflow import (
    FLOW_EDGES,
    ordered_phases,
    ordered_phases_many,
    path_between,
    reachable,
    reaches_another,
    reaching,
    witness,
)
from ..model import END, START
from . import (
    DRIVEN_ENERGY,
    ISOLATE_VERBS,
    LOCK_DEVICES,
    RELEASE_DEVICES,
    RELEASE_VERBS,
    SHUTDOWN_VERBS,
    VERIFY_VERBS,
    RuleContext,
    Source,
    rule,
)

PACK = "energy control"

#: Stored energy that may be released before the lockout as well as after it.
RELEASE_ANY_ORDER = frozenset({"electrical_stored", "mechanical"})

SEQUENCE = define("TW0601", "energy-control-sequence", "error",
    "a path to `work` that misses or reorders a step of energy control",
    """
    Before anyone works on equipment, every energy source in scope must be brought under
    control in this order (29 CFR 1910.147(d)): affected employees notified ((c)(9)), the
    equipment shut down normally ((d)(2)), the energy isolating device operated ((d)(3)),
    a lock or tag applied to it ((d)(4)), stored energy released or restrained ((d)(5);
    only for energy that is stored: hydraulic, pneumatic, springs, capacitors, raised
    loads ...), and isolation verified by a try-out or a measurement ((d)(6)).

    twinlang checks this on every path through the procedure, branches and alarm handlers
    included, and names the path that breaks it. A step counts as isolation when it
    operates an isolating device of the source (the source itself, a device that feeds it
    or declares `isolates` it) in the isolating direction (a switch is opened, a valve is
    closed); as verification when it tries out or measures the source or what it feeds, or
    expects a reading of it.

    Fix: add the missing step, or move it before the work.
    """, PACK)

CONTROL_DEVICE = define("TW0602", "control-device-isolation", "error",
    "a push button or selector switch used as an energy isolating device",
    """
    Push buttons, selector switches and other control-circuit devices are not energy
    isolating devices (29 CFR 1910.147(b), definition of "energy isolating device"): a
    fault in the control circuit, or another person, can start the machine through them.
    Locking or tagging one, or naming one as the source of hazardous energy, gives no
    protection.

    Fix: isolate and lock the disconnect, breaker or valve that feeds the equipment.
    """, PACK)

LOCK_OWNER = define("TW0603", "lock-removed-by-other", "error",
    "a lock or tag removed by someone other than the person who applied it",
    """
    Each lockout or tagout device is removed by the employee who applied it
    (29 CFR 1910.147(e)(3)). The exception, removal directed by the employer when that
    employee is absent, needs a documented procedure of its own.

    Fix: give the removal step to the role that applied the device
    (`performed_by ROLE`).
    """, PACK)

LOCK_EARLY = define("TW0604", "lock-removed-early", "error",
    "a lock or tag removed before the work is finished",
    """
    Locks and tags stay on until servicing is complete (29 CFR 1910.147(e)). A path on
    which a lock comes off before the work step, or on which work goes on after it came
    off, exposes the worker to the energy the lock was holding.

    Fix: move the removal after every `work` step.
    """, PACK)

RELEASE_CHECKS = define("TW0605", "release-without-checks", "error",
    "a lock removed before the area is cleared and everyone is accounted for",
    """
    Before lockout devices are removed and energy restored, the work area is inspected so
    that tools and parts are removed and machine components are intact
    (1910.147(e)(1)), and all employees are safely positioned or removed
    (1910.147(e)(2)(i)). In twinlang: a `clear area "..."` step and an
    `account for ROLES` step, after the work and before the removal.
    """, PACK)

NOTIFY_AFTER = define("TW0606", "notify-after-removal", "error",
    "affected employees not notified after locks are removed",
    """
    After lockout or tagout devices are removed and before the machine is started, the
    affected employees are notified (29 CFR 1910.147(e)(2)(ii)).

    Fix: add `notify affected "..."` after the last removal.
    """, PACK)

GROUP_LOCKOUT = define("TW0607", "group-lockout", "error",
    "a group lockout in which a worker has no personal lock",
    """
    In a group lockout each authorized employee affixes a personal lock to the group
    device (or lockbox) when starting work and removes it when stopping
    (29 CFR 1910.147(f)(3)(ii)(D)). A procedure that declares `group_lockout` must show,
    for every role doing `work`, that role applying a lock before its work and removing it
    after.
    """, PACK)

SHIFT_CHANGE = define("TW0608", "shift-change-handover", "error",
    "a shift change in which the off-going lock comes off before the oncoming one is on",
    """
    At a shift or personnel change, protection must be continuous
    (29 CFR 1910.147(f)(4)): the oncoming employee's lock goes on before the off-going
    employee's lock comes off. A procedure that declares `shift_change` must show that
    hand-over on every path.
    """, PACK)

NO_SOURCE = define("TW0609", "no-energy-source", "warning",
    "a procedure with locks and work but no energy source in scope",
    """
    A procedure that applies locks or tags and has `work` steps is an energy control
    procedure, which must identify the type and magnitude of the energy it controls
    (29 CFR 1910.147(c)(4)(ii), (d)(1)). Declare them: `energy electrical from DS-12`.
    """, PACK)

_PHASE_TEXT = {
    "notify": "affected employees are not notified",
    "shutdown": "the equipment is not shut down first",
    "isolate": "{energy} energy from `{src}` is not isolated",
    "lock": "the isolating device of `{src}` is not locked or tagged",
    "release": "the stored {energy} energy of `{src}` is not released",
    "verify": "isolation of `{src}` is not verified (try-out)",
}
_PHASE_HELP = {
    "notify": 'add `notify ROLE "..."` at the start of the procedure',
    "shutdown": "stop the equipment the normal way before isolating it",
    "isolate": "operate the disconnect, breaker or valve that isolates `{src}`",
    "lock": "`apply lock to` the isolating device of `{src}`",
    "release": "bleed, vent, discharge or block the stored energy of `{src}` after locking",
    "verify": "try out or measure `{src}` (or what it feeds) after it is locked out, before "
              "the work",
}


def _is_work(ctx: RuleContext, n) -> bool:
    return ctx.has_op(n, "work")


def source_classes(ctx: RuleContext, src: Source):
    """The phase classifier for one energy source."""
    up = ctx.upstream(src.equipment)
    down = ctx.downstream(src.equipment)
    chain = up | down
    # A moving part is proven at rest by trying it (or what it drives); a fluid or an
    # electrical circuit may be proven anywhere on the isolated section.
    provable = down if src.energy in DRIVEN_ENERGY else chain
    cache: dict = {}

    def classes(n) -> frozenset[str]:
        if n in cache:
            return cache[n]
        out = set()
        if ctx.g.nodes[n]["kind"] == "step":
            if ctx.has_op(n, "notify"):
                out.add("notify")
            for verb, targets, action in ctx.verbs(n):
                tset = set(targets)
                if verb in SHUTDOWN_VERBS and tset & chain:
                    out.add("shutdown")
                if verb == "press" and any(ctx.is_control_device(t) for t in targets):
                    out.add("shutdown")
                if any(t in up and ctx.isolates_energy(t, src.energy)
                       and (verb == ctx.isolating_verb(t) or verb in ISOLATE_VERBS)
                       for t in targets):
                    out.add("isolate")
                if verb in RELEASE_VERBS and tset & chain:
                    out.add("release")
                refs = tset | {ctx.canon(r.head.name) for r in action.to}
                if verb in VERIFY_VERBS and refs & provable:
                    out.add("verify")
            for device, targets, _a in ctx.devices(n, "apply"):
                isolating = [t for t in targets if t in up and ctx.isolates_energy(t, src.energy)]
                if device in LOCK_DEVICES and isolating:
                    out.add("lock")
                if device in ("blind", "block") and isolating:
                    out.add("isolate")
                if device in RELEASE_DEVICES and set(targets) & chain:
                    out.add("release")
            if ctx.expect_tags(n) & provable:
                out.add("verify")
                if src.energy == "mechanical":
                    out.add("release")  # a moving part observed coming to rest
        cache[n] = frozenset(out)
        return cache[n]

    return classes


def _step_tags(ctx: RuleContext, n) -> set[str]:
    """Every equipment tag (own tags) a step's actions or expectations name."""
    tags = set(ctx.expect_tags(n))
    for _verb, targets, action in ctx.verbs(n):
        tags.update(targets)
        tags.update(ctx.canon(r.head.name) for r in action.to)
    for _device, targets, _a in ctx.devices(n, "apply"):
        tags.update(targets)
    return tags


def _universal(ctx: RuleContext, n) -> bool:
    """Whether a step may count for every source whatever it names (see source_classes)."""
    return ctx.has_op(n, "notify") or any(
        verb == "press" and any(ctx.is_control_device(t) for t in targets)
        for verb, targets, _a in ctx.verbs(n))


@rule(SEQUENCE, PACK, "29 CFR 1910.147(c)(9), (d)(1)-(6)")
def energy_sequence(ctx: RuleContext):
    works = ctx.nodes_where(lambda n: _is_work(ctx, n))
    if not works:
        return
    # Every (source, phase sequence) is analysed in one traversal of the graph; the few that
    # fail somewhere are analysed again alone, for the path of the note.
    checks = list(_sequences(ctx))
    if not checks:
        return
    by_tag: dict[str, list[int]] = {}  # tag → the sources whose chain holds it
    for j, (_src, _phases, _classes, chain) in enumerate(checks):
        for tag in chain:
            by_tag.setdefault(tag, []).append(j)
    everything = range(len(checks))

    def classes_at(n):
        if ctx.g.nodes[n]["kind"] != "step":
            return ()
        if _universal(ctx, n):
            candidates = everything
        else:
            candidates = sorted({j for t in _step_tags(ctx, n) for j in by_tag.get(t, ())})
        return [(j, checks[j][2](n)) for j in candidates]

    result = ordered_phases_many(ctx.g, START, [c[1] for c in checks], classes_at)
    for j, (src, phases, classes, _chain) in enumerate(checks):
        if any(result.reached(w) and result.missing(j, w) is not None for w in works):
            yield from _check_sequence(ctx, src, works, phases, classes)


def _sequences(ctx: RuleContext):
    """(source, phases, classifier, chain) for each sequence an energy source must follow."""
    for src in ctx.sources():
        if ctx.is_control_device(src.equipment):
            continue  # reported by control-device-isolation
        chain = ctx.upstream(src.equipment) | ctx.downstream(src.equipment)
        head = ["notify", "shutdown", "isolate"]
        if not ctx.can_be_stopped(chain):
            head.remove("shutdown")  # nothing in the chain runs: a vent header, a tank
        if not src.stored:
            sequences = [[*head, "lock", "verify"]]
        elif src.energy in RELEASE_ANY_ORDER:
            # NFPA 70E 120.5 discharges capacitors before the lockout, 1910.147(d)(5) after
            # it; a moving part coasts to rest as it is shut down. Either order is accepted,
            # both before the verification.
            sequences = [[*head, "lock", "verify"], [*head, "release", "verify"]]
        else:
            sequences = [[*head, "lock", "release", "verify"]]
        classes = source_classes(ctx, src)
        for phases in sequences:
            yield src, phases, classes, chain


def _check_sequence(ctx: RuleContext, src: Source, works, phases, classes):
    """One diagnostic per work step that some path reaches without ``phases`` in order."""
    result = ordered_phases(ctx.g, START, phases, classes)
    fmt = {"energy": src.energy, "src": src.equipment}
    for w in works:
        missing = result.missing(w) if result.reached(w) else None
        if missing is None:
            continue
        path = witness(result, w)
        notes = []
        k = phases.index(missing)
        early = next((n for n in path[:-1] if missing in classes(n)), None)
        # An early try-out is worth naming only for the device steps: a reading taken while
        # stopping the machine is not a misplaced verification.
        if early is not None and k > 0 and missing in ("isolate", "lock", "release"):
            notes.append(f"step `{ctx.g.nodes[early]['name']}` ({missing}) comes before the "
                         f"{phases[k - 1]} on this path; the order is " + " → ".join(phases))
        yield ctx.diag(SEQUENCE,
                       f"before `{ctx.g.nodes[w]['name']}`, " + _PHASE_TEXT[missing].format(**fmt),
                       w, path=path, notes=notes,
                       labels=[Label(span=src.node.span, message="energy source in scope")],
                       help=_PHASE_HELP[missing].format(**fmt))


@rule(CONTROL_DEVICE, PACK, "29 CFR 1910.147(b)")
def control_device(ctx: RuleContext):
    for src in ctx.sources():
        if ctx.is_control_device(src.equipment):
            yield ctx.diag(CONTROL_DEVICE,
                           f"`{src.equipment}` is a control device and cannot be the isolation "
                           f"point of {src.energy} energy", src.node.source.span,
                           help="name the equipment that holds the energy (the motor, the "
                           "accumulator) and isolate it at its disconnect or valve")
    for n in ctx.step_nodes():
        for device, targets, action in ctx.devices(n, "apply"):
            if device not in LOCK_DEVICES:
                continue
            for t, ref in zip(targets, action.targets, strict=False):
                if ctx.is_control_device(t):
                    yield ctx.diag(CONTROL_DEVICE,
                                   f"a {device} on push button or selector `{t}` does not "
                                   "isolate energy", ref.span,
                                   help="lock the disconnect, breaker or valve that isolates "
                                   "the equipment instead")


def _appliers(ctx: RuleContext) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for n in ctx.step_nodes():
        for device, targets, _a in ctx.devices(n, "apply"):
            if device in LOCK_DEVICES:
                for t in targets:
                    out.setdefault((device, t), []).append(n)
    return out


def _removals(ctx: RuleContext, *, final: bool = False) -> list[tuple[str, str, str, object]]:
    """(step, device, tag, ref) of every lock or tag removal (computed once per graph)."""
    cache = ctx.__dict__.setdefault("_energy_removals", {})
    if final not in cache:
        cache[final] = _find_removals(ctx, final=final)
    return cache[final]


def _find_removals(ctx: RuleContext, *, final: bool) -> list[tuple[str, str, str, object]]:
    """(step, device, tag, ref) of every lock or tag removal.

    With ``final``, only the removals after which no other removal of the same device on
    the same equipment can follow: a removal that is followed by another one is a hand-over
    (at a shift change the oncoming lock is still on), not the end of the protection.
    """
    out = []
    for n in ctx.step_nodes():
        for device, targets, action in ctx.devices(n, "remove"):
            if device in LOCK_DEVICES:
                for t, ref in zip(targets, action.targets, strict=False):
                    out.append((n, device, t, ref))
    if not final:
        return out
    steps_of: dict = {}
    for n, device, t, _ref in out:
        steps_of.setdefault((device, t), set()).add(n)
    flow = FLOW_EDGES - {"alarm"}
    followed = {key: reaches_another(ctx.g, steps, edge_kinds=flow)
                for key, steps in steps_of.items()}
    return [item for item in out if item[0] not in followed[(item[1], item[2])]]


@rule(LOCK_OWNER, PACK, "29 CFR 1910.147(e)(3)")
def lock_owner(ctx: RuleContext):
    appliers = _appliers(ctx)
    owners_of = {key: {ctx.performer(a) for a in applied} for key, applied in appliers.items()}
    for n, items in _by_step(_removals(ctx)).items():
        who = ctx.performer(n)
        wrong = []
        owners: set = set()
        first = None
        for item in items:
            applied = appliers.get((item[1], item[2]), [])
            owned = owners_of.get((item[1], item[2]), set())
            if applied and who not in owned:
                wrong.append(item)
                owners |= owned
                first = first or applied[0]
        if not wrong:
            continue
        verb = "are" if len(wrong) > 1 else "is"
        yield ctx.diag(LOCK_OWNER,
                       f"{_devices_text(wrong)[:-3 if verb == 'are' else -2].rstrip()} {verb} "
                       f"removed by `{who}` but applied by "
                       + ", ".join(f"`{o}`" for o in sorted(filter(None, owners))),
                       wrong[0][3].span,
                       labels=[Label(span=ctx.span(first), message="applied here")],
                       help=f"give the removal to the role that applied it: "
                       f"`performed_by {ctx.performer(first)}`")


@rule(LOCK_EARLY, PACK, "29 CFR 1910.147(e)")
def lock_early(ctx: RuleContext):
    works = set(ctx.nodes_where(lambda n: _is_work(ctx, n)))
    if not works:
        return
    result = ordered_phases(ctx.g, START, ["work"],
                            lambda n: frozenset({"work"}) if n in works else frozenset())
    flow = FLOW_EDGES - {"alarm"}
    to_work = reaching(ctx.g, works, edge_kinds=flow)
    final = {(n, d, t) for n, d, t, _r in _removals(ctx, final=True)}
    for n, items in _by_step(_removals(ctx)).items():
        if not result.reached(n):
            continue
        span = items[0][3].span
        if result.missing(n) is not None:
            yield ctx.diag(LOCK_EARLY, f"{_devices_text(items)} removed before any work is done",
                           span, path=witness(result, n), help="remove locks only after the work")
            continue
        items = [i for i in items if (i[0], i[1], i[2]) in final]
        if not items or n not in to_work:  # one traversal for all, not one per removal
            continue
        after = reachable(ctx.g, n, edge_kinds=flow) & works
        if after:
            w = sorted(after, key=list(ctx.g.nodes).index)[0]
            path = path_between(ctx.g, n, w, edge_kinds=flow)
            yield ctx.diag(LOCK_EARLY, f"work goes on after {_devices_text(items)[4:]} removed"
                           .replace(" is removed", "").replace(" are removed", ""),
                           span, path=path,
                           labels=[Label(span=ctx.span(w), message="work after the removal")],
                           help="move the removal after the last `work` step")


@rule(RELEASE_CHECKS, PACK, "29 CFR 1910.147(e)(1), (e)(2)(i)")
def release_checks(ctx: RuleContext):
    removals = _removals(ctx, final=True)
    if not removals:
        return
    works = set(ctx.nodes_where(lambda n: _is_work(ctx, n)))
    checks = (("clear_area", "the area is cleared of tools and materials",
               'add `clear area "..."` after the work'),
              ("account", "everyone is accounted for",
               "add `account for ROLES` after the work"))
    for op, what, hint in checks:
        def classes(n, op=op):
            out = set()
            if n in works:
                out.add("work")
            if ctx.g.nodes[n]["kind"] == "step" and ctx.has_op(n, op):
                out.add(op)
            return frozenset(out)

        phases = ["work", op] if works else [op]
        result = ordered_phases(ctx.g, START, phases, classes)
        for n, items in _by_step(removals).items():
            if result.reached(n) and result.missing(n) == op:
                yield ctx.diag(RELEASE_CHECKS,
                               f"{_devices_text(items)} removed before {what}", items[0][3].span,
                               path=witness(result, n), help=hint)


def _by_step(removals) -> dict:
    out: dict = {}
    for item in removals:
        out.setdefault(item[0], []).append(item)
    return out


def _devices_text(items) -> str:
    devices = sorted({d for _n, d, _t, _r in items})
    tags = []
    for _n, _d, t, _r in items:
        if t not in tags:
            tags.append(t)
    what = " and ".join(f"{d}s" if len(tags) > 1 else d for d in devices)
    return f"the {what} on " + ", ".join(f"`{t}`" for t in tags) + (" are" if len(tags) > 1 or
                                                                      len(devices) > 1 else " is")


@rule(NOTIFY_AFTER, PACK, "29 CFR 1910.147(e)(2)(ii)")
def notify_after(ctx: RuleContext):
    removals = _removals(ctx, final=True)
    if not removals:
        return
    result = ordered_phases(ctx.g, END, ["notify"],
                            lambda n: frozenset({"notify"}) if ctx.g.nodes[n]["kind"] == "step"
                            and ctx.has_op(n, "notify") else frozenset(), reverse=True)
    for n, items in _by_step(removals).items():
        if not result.reached(n) or result.missing(n) is None:
            continue
        path = list(reversed(witness(result, n)))
        yield ctx.diag(NOTIFY_AFTER, f"nobody is notified after {_devices_text(items)[4:]} "
                       "removed".replace(" is removed", " comes off").replace(" are removed",
                                                                              " come off"),
                       items[0][3].span, path=path,
                       help='add `notify affected "..."` after the removal, before the end')


@rule(GROUP_LOCKOUT, PACK, "29 CFR 1910.147(f)(3)")
def group_lockout(ctx: RuleContext):
    if not ctx.proc.group_lockout:
        return
    works = ctx.nodes_where(lambda n: _is_work(ctx, n))
    for role in sorted({ctx.performer(w) for w in works} - {None}):
        def classes(n, role=role):
            if ctx.g.nodes[n]["kind"] == "step" and ctx.performer(n) == role and any(
                    d in LOCK_DEVICES for d, _t, _a in ctx.devices(n, "apply")):
                return frozenset({"personal lock"})
            return frozenset()

        result = ordered_phases(ctx.g, START, ["personal lock"], classes)
        for w in works:
            if ctx.performer(w) == role and result.reached(w) and result.missing(w):
                yield ctx.diag(GROUP_LOCKOUT,
                               f"`{role}` works in a group lockout without a personal lock",
                               w, path=witness(result, w),
                               help=f"add a step where `{role}` applies a personal lock to the "
                               "group device before the work")
                break


@rule(SHIFT_CHANGE, PACK, "29 CFR 1910.147(f)(4)")
def shift_change(ctx: RuleContext):
    if not ctx.proc.shift_change:
        return
    appliers = _appliers(ctx)
    handovers = {k: v for k, v in appliers.items()
                 if len({ctx.performer(a) for a in v}) > 1}
    if not handovers:
        yield ctx.diag(SHIFT_CHANGE, "`shift_change` is declared but no lock is handed over",
                       ctx.proc.name.span,
                       help="show the oncoming role applying its lock before the off-going "
                       "role removes its own")
        return
    for n, device, tag, ref in _removals(ctx):
        applied = handovers.get((device, tag))
        if not applied:
            continue
        who = ctx.performer(n)
        others = [a for a in applied if ctx.performer(a) != who]
        marks = set(others)
        result = ordered_phases(ctx.g, START, ["oncoming"],
                                lambda x, marks=marks: frozenset({"oncoming"})
                                if x in marks else frozenset())
        if result.reached(n) and result.missing(n):
            yield ctx.diag(SHIFT_CHANGE,
                           f"`{who}` removes the {device} on `{tag}` before the oncoming lock "
                           "is on", ref.span, path=witness(result, n),
                           help="apply the oncoming employee's lock first, then remove the "
                           "off-going one")


@rule(NO_SOURCE, PACK, "29 CFR 1910.147(c)(4)(ii), (d)(1)")
def no_source(ctx: RuleContext):
    if ctx.proc.energy:
        return
    works = ctx.nodes_where(lambda n: _is_work(ctx, n))
    locks = [n for n in ctx.step_nodes()
             if any(d in LOCK_DEVICES for d, _t, _a in ctx.devices(n, "apply"))]
    if works and locks:
        yield ctx.diag(NO_SOURCE, f"procedure `{ctx.proc.name.name}` locks equipment but "
                       "names no energy source", ctx.proc.name.span,
                       help="declare what it controls: `energy electrical from DS-12`")
