"""Permit-required confined spaces, 29 CFR 1910.146.

A procedure is an entry procedure when a step `enter`s a confined space: equipment whose
kind accepts the verb `enter` and has a `volume` parameter (stdlib `ConfinedSpace`).  On
every path to each entry: the permit issued then signed ((e)(2)), the atmosphere tested
oxygen → flammables → toxics ((c)(5)(ii)(C), (d)(5)(iii)) against the limits of (b), rescue
provided ((k)); during the entry the atmosphere monitored and an attendant outside who
never enters ((i)); after it everyone out and accounted for, and the permit cancelled
((e)(5)).  An atmospheric reading is classified by the state it reads: a `flammability`
state is flammable gas, a state named `oxygen`/`o2` is oxygen, any other `concentration`
state is a toxic gas.
"""

from __future__ import annotations

from ...diagnostics import Label
from ...diagnostics.codes import define
from ..dataflow import FLOW_EDGES, ordered_phases, path_between, witness
from ..model import ABORT, END, START
from . import RuleContext, rule
from ._confined_analysis import (
    analysis,
    first_gap,
    is_deep,
    length_si,
    reverse_results,
    rig_result,
)
from ._confined_atmosphere import CLASS_TEXT, ORDER, alarm_is_atmospheric, alarm_setpoints

PACK = "confined space"

NO_PERMIT = define("TW0701", "entry-permit-missing", "error",
    "an entry into a confined space with no entry permit declared",
    """
    Entry into a permit-required confined space is authorized by a written entry permit
    (29 CFR 1910.146(e)(1), (f)): it lists the hazards, the acceptable entry conditions,
    the test results, the attendant and the rescue service. A procedure that enters a
    confined space must declare its permit.

    Fix: declare it in the procedure (`permit entry "Entry permit TK-7"`), issue it and
    have the entry supervisor sign it before the entry.
    """, PACK)

PERMIT_ORDER = define("TW0702", "entry-before-permit-signed", "error",
    "a path that enters a confined space before the permit is issued and signed",
    """
    Before entry begins, the entry supervisor signs the entry permit to authorize the
    entry (29 CFR 1910.146(e)(2)), after verifying the tests and the equipment
    ((j)(2)). twinlang checks, on every path to each `enter`, that the permit is issued
    (`issue permit P`) and then signed (`sign permit P`).

    Fix: issue the permit, then sign it, before the entry step.
    """, PACK)

TEST_MISSING = define("TW0703", "atmosphere-not-tested", "error",
    "a path that enters a confined space without testing its atmosphere",
    """
    Before an employee enters, the internal atmosphere is tested with a calibrated
    direct-reading instrument for oxygen, then flammable gases and vapors, then toxic
    gases and vapors (29 CFR 1910.146(c)(5)(ii)(C), (d)(5)(iii)). A test is a step that
    checks the reading against a limit (`expect GD-1.oxygen between ...`); a step that
    only measures or records does not stop the entry when the reading is bad. Toxic gases
    are required when the procedure declares a toxic hazard, the space holds a substance
    with a PEL, or any step reads a toxic gas.

    Fix: add the missing test before the entry, with an `expect` on the reading.
    """, PACK)

TEST_ORDER = define("TW0704", "atmosphere-test-order", "error",
    "atmospheric tests before an entry in the wrong order",
    """
    Oxygen is tested first, then flammable gases, then toxic gases
    (29 CFR 1910.146(c)(5)(ii)(C), (d)(5)(iii)): catalytic flammable-gas sensors need
    oxygen and read falsely low in an oxygen-deficient atmosphere, and most toxic sensors
    need oxygen too. A flammable or toxic reading taken before the oxygen test cannot be
    trusted.

    Fix: reorder the test steps: oxygen → flammables → toxics.
    """, PACK)

LIMITS = define("TW0705", "atmosphere-limit", "error",
    "an atmospheric test that accepts a hazardous atmosphere",
    """
    An atmosphere is hazardous (29 CFR 1910.146(b)) when oxygen is below 19.5 % or above
    23.5 %, flammable gas exceeds 10 % of its lower flammable limit, or a toxic substance
    exceeds its permissible exposure limit. The test before entry must demand acceptable
    values: oxygen between 19.5 % vol and 23.5 % vol, flammables below 10 % LEL, each
    toxic gas below its limit. The toxic limit is the lowest of the PEL of the substance
    of that name (`h2s` is `hydrogen_sulfide`) and a parameter of the instrument named
    `<gas>_limit`, `<gas>_pel` or `<gas>_low_alarm`; when none is declared an upper bound
    is still required.

    Fix: tighten the expectation, or add the missing bound.
    """, PACK)

NOT_MONITORED = define("TW0706", "atmosphere-not-monitored", "error",
    "an entry during which nobody watches the atmosphere",
    """
    Conditions in the space are monitored while entry operations go on
    (29 CFR 1910.146(d)(5)(ii)); the attendant orders evacuation when a prohibited
    condition arises ((i)(6)). In twinlang: an `on alarm` on an atmospheric reading
    active during the work inside the space, or a re-test on every path between the
    entry and the exit.

    Fix: add `on alarm GD-1.oxygen < 19.5 % vol or ... during work { ... }`, or a monitoring
    step in `parallel` with the work.
    """, PACK)

NO_EXIT = define("TW0707", "entry-without-exit", "error",
    "a path on which an entrant goes into a confined space and never comes out",
    """
    Every entry ends with the entrant leaving the space, also when the procedure stops
    on an alarm (29 CFR 1910.146(h)(4), (i)(6)). A path from `enter` to the end or to an
    `abort` without `exit` leaves someone inside.

    Fix: add an `exit` step on that path (in an alarm handler: before the `abort`).
    """, PACK)

NO_ATTENDANT = define("TW0708", "attendant-missing", "error",
    "an entry procedure with no attendant",
    """
    At least one attendant stays outside the permit space for the whole duration of the
    entry (29 CFR 1910.146(d)(6), (i)). Name the role: `attendant ROLE` in the
    procedure.
    """, PACK)

ATTENDANT_ENTERS = define("TW0709", "attendant-enters", "error",
    "the attendant enters the confined space",
    """
    The attendant remains outside the permit space during entry operations until
    relieved by another attendant (29 CFR 1910.146(i)(4)); an attendant who goes in
    cannot monitor, summon rescue or order evacuation, and is a further victim.

    Fix: give the entry step to an entrant role (`performed_by entrant`).
    """, PACK)

ATTENDANT_BUSY = define("TW0710", "attendant-working", "error",
    "the attendant given work during the entry",
    """
    The attendant performs no duties that might interfere with the primary duty to
    monitor and protect the entrants (29 CFR 1910.146(i)(10)).

    Fix: give the work to another role.
    """, PACK)

NO_RESCUE = define("TW0711", "rescue-missing", "error",
    "an entry with no rescue provision",
    """
    The employer designates rescue and emergency services for permit spaces and a
    non-entry retrieval system is used for each entry unless it would increase the risk
    (29 CFR 1910.146(k)). Declare the provision (`rescue "Plant rescue team, radio 4"`
    or `rescue RS-1`) or rig a retrieval system before the entry.
    """, PACK)

NO_RETRIEVAL = define("TW0712", "retrieval-device-missing", "error",
    "a vertical entry deeper than 1.52 m without a mechanical retrieval device",
    """
    A mechanical device to retrieve the entrant is available whenever the entrant goes
    into a vertical-type permit space more than 5 ft (1.52 m) deep
    (29 CFR 1910.146(k)(3)(ii)). The depth is the space's `vertical_depth`.

    Fix: rig the retrieval system (tripod and winch) over the portal before the entry.
    """, PACK)

NOT_CANCELLED = define("TW0713", "permit-not-cancelled", "error",
    "an entry permit not cancelled after the entrants came out",
    """
    The entry supervisor terminates the entry and cancels the permit when the work is
    done or a prohibited condition arises (29 CFR 1910.146(e)(5)), after the entrants
    have left; a permit cancelled while someone is inside removes the authority under
    which they are there. Checked on every path after each entry, alarm handlers that
    `abort` included.

    Fix: `revoke permit P` after the exit, on every path.
    """, PACK)

NOT_ACCOUNTED = define("TW0714", "entrants-not-accounted", "error",
    "nobody accounts for the entrants after they leave the space",
    """
    The attendant keeps an accurate count of the entrants and knows who is inside
    (29 CFR 1910.146(i)(3)); after the exit, and after an evacuation above all, someone
    confirms everyone is out before the permit is closed. In twinlang: `account for ROLES`
    naming the entrants, or a step that reads the space's count (`record TK-7.occupants`).

    Fix: add the accounting step after each exit.
    """, PACK)

SETPOINT = define("TW0715", "atmosphere-alarm-setpoint", "error",
    "an atmospheric alarm that lets a hazardous atmosphere go unalarmed",
    """
    An alarm that evacuates the space must go off at the limits of 29 CFR 1910.146(b):
    oxygen below 19.5 % vol or above 23.5 % vol, flammables at 10 % LEL, toxic gases at
    their limit (see TW0705). An alarm set beyond them leaves entrants in a hazardous
    atmosphere without warning.

    Fix: set the threshold at the limit or inside it.
    """, PACK)


# ---------------------------------------------------------------- rules

def _entries(ctx: RuleContext):
    return analysis(ctx).entries


def _lead(ctx: RuleContext, n) -> list:
    return path_between(ctx.g, START, n) or [n]


def _through(ctx: RuleContext, n, back: list) -> list:
    """A path start → n followed by a reverse-analysis witness from n to a terminal."""
    return _lead(ctx, n) + list(reversed(back))[1:]


def _name(ctx: RuleContext, n) -> str:
    return ctx.g.nodes[n].get("name", n)


@rule(NO_PERMIT, PACK, "29 CFR 1910.146(e)(1), (f)")
def no_permit(ctx: RuleContext):
    ents = _entries(ctx)
    if ents and not ctx.proc.permits:
        e = ents[0]
        yield ctx.diag(NO_PERMIT, f"procedure `{ctx.proc.name.name}` enters `{e.space}` but "
                       "declares no entry permit", ctx.proc.name.span, path=_lead(ctx, e.node),
                       labels=[Label(span=ctx.span(e.node), message="entry here")],
                       help=f'declare `permit entry "Entry permit {e.space}"`, then issue and '
                       "sign it before the entry")


@rule(PERMIT_ORDER, PACK, "29 CFR 1910.146(e)(2)")
def permit_order(ctx: RuleContext):
    ents = _entries(ctx)
    if not ents or not ctx.proc.permits:
        return
    results = []
    for p in ctx.proc.permits:
        name = p.name.name

        def classes(n, name=name):
            out = set()
            for a in ctx.actions(n):
                if a.permit is not None and a.permit.name == name:
                    if a.op == "permit_issue":
                        out.add("issue")
                    elif a.op == "permit_sign":
                        out.add("sign")
            return frozenset(out)

        results.append((name, classes, ordered_phases(ctx.g, START, ["issue", "sign"], classes)))
    for e in ents:
        live = [r for r in results if r[2].reached(e.node)]
        if not live or any(r[2].missing(e.node) is None for r in live):
            continue
        name, classes, res = max(live, key=lambda r: r[2].done(e.node))
        missing = res.missing(e.node)
        path = witness(res, e.node)
        notes = []
        issued = [i for i, n in enumerate(path[:-1]) if "issue" in classes(n)]
        if missing == "sign" and issued and any("sign" in classes(n) for n in path[:issued[0]]):
            notes.append(f"permit `{name}` is signed before it is issued on this path")
        what = "issued" if missing == "issue" else "signed by the entry supervisor"
        yield ctx.diag(PERMIT_ORDER, f"`{e.space}` is entered in `{e.name}` before permit "
                       f"`{name}` is {what}", e.node, path=path, notes=notes,
                       help=f"`issue permit {name}`, then `sign permit {name}` (entry "
                       "supervisor), before the entry")


@rule(TEST_MISSING, PACK, "29 CFR 1910.146(c)(5)(ii)(C), (d)(5)(iii)")
def tests_before_entry(ctx: RuleContext):
    an = analysis(ctx)
    for e in an.entries:
        found = an.test_gap(e.node)
        if found is None or found[1]:
            continue
        cls, _order, path = found
        notes = []
        seen = next((n for n in path[:-1] if cls in an.tests(n).measured
                     and cls not in an.tests(n).checked), None)
        if seen is not None:
            notes.append(f"`{_name(ctx, seen)}` reads {CLASS_TEXT[cls]} but does not check "
                         "the reading against a limit")
        yield ctx.diag(TEST_MISSING, f"`{e.space}` is entered in `{e.name}` before "
                       f"{CLASS_TEXT[cls]} is tested", e.node, path=path, notes=notes,
                       help=f"test {CLASS_TEXT[cls]} before the entry and `expect` an "
                       "acceptable reading; the order is " + " → ".join(ORDER))


@rule(TEST_ORDER, PACK, "29 CFR 1910.146(c)(5)(ii)(C), (d)(5)(iii)")
def test_order(ctx: RuleContext):
    an = analysis(ctx)
    for e in an.entries:
        found = an.test_gap(e.node)
        if found is None or not found[1]:
            continue
        cls, early, path = found
        k = ORDER.index(cls)
        yield ctx.diag(TEST_ORDER, f"before `{e.name}`, {CLASS_TEXT[cls]} is tested "
                       f"(`{_name(ctx, early)}`) before {CLASS_TEXT[ORDER[k - 1]]}",
                       e.node, path=path,
                       labels=[Label(span=ctx.span(early), message="tested too early")],
                       help="test in the order " + " → ".join(ORDER) + ": move "
                       f"`{_name(ctx, early)}` after the {CLASS_TEXT[ORDER[k - 1]]} test")


@rule(LIMITS, PACK, "29 CFR 1910.146(b)")
def limits(ctx: RuleContext):
    an = analysis(ctx)
    if not an.entries:
        return
    for n in ctx.step_nodes():
        for span, message, hint in an.tests(n).lax:
            yield ctx.diag(LIMITS, message, span, path=_lead(ctx, n), help=hint)
    for e in an.entries:
        gap = an.test_gap(e.node)
        # a class not tested at all (and the ones after it) is reported as not tested
        skip = ORDER[ORDER.index(gap[0]):] if gap is not None and gap[1] is None else ()
        for item in an.required_items():
            if item.split(":")[0] in skip:
                continue
            res = an.acceptance(item)
            if not res.reached(e.node) or res.missing(e.node) is None:
                continue
            path = witness(res, e.node)
            notes = [f"`{_name(ctx, n)}` checks {an.tests(n).partial[item]}"
                     for n in path[:-1] if item in an.tests(n).partial][:1]
            yield ctx.diag(LIMITS, f"before `{e.name}`, no test requires "
                           f"{an.item_text(item)}", e.node, path=path, notes=notes,
                           help=f"add `expect` {an.item_text(item, expect=True)} to the "
                           "test before the entry")


@rule(NOT_MONITORED, PACK, "29 CFR 1910.146(d)(5)(ii)")
def monitoring(ctx: RuleContext):
    an = analysis(ctx)
    g = ctx.g
    flow = FLOW_EDGES - {"alarm"}
    for e in an.entries:
        inside = an.inside(e) | {e.node}
        watched = [n for n in inside if ctx.has_op(n, "work")] or sorted(inside, key=str)
        if watched and all(any(d.get("kind") == "alarm" and alarm_is_atmospheric(ctx, a)
                               for a, d in g.succ[n].items()) for n in watched):
            continue
        res = ordered_phases(g, e.node, ["retest"],
                             lambda n: frozenset({"retest"}) if an.tests(n).measured
                             else frozenset(), edge_kinds=flow)
        exits = [x for x in an.exits(e.space) if res.reached(x)] or \
            [t for t in (END, ABORT) if res.reached(t)]
        bad = next((x for x in exits if res.missing(x) is not None), None)
        if bad is None:
            continue
        path = _lead(ctx, e.node) + witness(res, bad)[1:]
        yield ctx.diag(NOT_MONITORED, f"nothing monitors the atmosphere of `{e.space}` "
                       f"while the entrant is inside after `{e.name}`", e.node, path=path,
                       help="add `on alarm` on the detector readings `during` the work "
                       "inside, or a monitoring step in `parallel` with it")


@rule(NO_EXIT, PACK, "29 CFR 1910.146(h)(4), (i)(6)")
def no_exit(ctx: RuleContext):
    an = analysis(ctx)
    for e in an.entries:
        res = first_gap(an.exit_results(e.space), e.node)
        if res is not None:
            yield ctx.diag(NO_EXIT, f"after `{e.name}` the entrant never leaves `{e.space}` "
                           "on this path", e.node, path=_through(ctx, e.node, witness(res, e.node)),
                           help=f"add `exit {e.space}` on the path, before the end or the "
                           "`abort`")


@rule(NO_ATTENDANT, PACK, "29 CFR 1910.146(d)(6), (i)")
def no_attendant(ctx: RuleContext):
    ents = _entries(ctx)
    if ents and ctx.proc.attendant is None:
        e = ents[0]
        yield ctx.diag(NO_ATTENDANT, f"procedure `{ctx.proc.name.name}` enters `{e.space}` "
                       "but names no attendant", ctx.proc.name.span, path=_lead(ctx, e.node),
                       labels=[Label(span=ctx.span(e.node), message="entry here")],
                       help="name the role that stays outside: `attendant ROLE`")


@rule(ATTENDANT_ENTERS, PACK, "29 CFR 1910.146(i)(4)")
def attendant_enters(ctx: RuleContext):
    att = ctx.proc.attendant
    if att is None:
        return
    for e in _entries(ctx):
        if ctx.performer(e.node) == att.name:
            yield ctx.diag(ATTENDANT_ENTERS, f"the attendant `{att.name}` enters `{e.space}` "
                           f"in `{e.name}`", e.node, path=_lead(ctx, e.node),
                           labels=[Label(span=att.span, message="the attendant")],
                           help="give the entry to an entrant: `performed_by ROLE`; the "
                           "attendant stays outside")


@rule(ATTENDANT_BUSY, PACK, "29 CFR 1910.146(i)(10)")
def attendant_busy(ctx: RuleContext):
    att = ctx.proc.attendant
    if att is None:
        return
    an = analysis(ctx)
    for e in an.entries:
        for n in sorted(an.inside(e), key=list(ctx.g.nodes).index):
            if ctx.performer(n) == att.name and ctx.has_op(n, "work"):
                path = _lead(ctx, e.node) + (path_between(ctx.g, e.node, n) or [n])[1:]
                yield ctx.diag(ATTENDANT_BUSY, f"the attendant `{att.name}` works in "
                               f"`{_name(ctx, n)}` while `{e.space}` is occupied", n,
                               path=path, help="give the work to another role; the attendant "
                               "only monitors and protects the entrants")


@rule(NO_RESCUE, PACK, "29 CFR 1910.146(k)")
def no_rescue(ctx: RuleContext):
    ents = _entries(ctx)
    if not ents or ctx.proc.rescue is not None:
        return
    res = rig_result(ctx)
    for e in ents:
        if is_deep(ctx, e.space) or not res.reached(e.node) or res.missing(e.node) is None:
            continue  # deep spaces: reported as retrieval-device-missing
        yield ctx.diag(NO_RESCUE, f"`{e.space}` is entered in `{e.name}` with no rescue "
                       "provision",
                       e.node, path=witness(res, e.node),
                       help='declare the rescue service (`rescue "..."`) or rig a retrieval '
                       "system before the entry")


@rule(NO_RETRIEVAL, PACK, "29 CFR 1910.146(k)(3)(ii)")
def no_retrieval(ctx: RuleContext):
    ents = [e for e in _entries(ctx) if is_deep(ctx, e.space)]
    if not ents:
        return
    res = rig_result(ctx)
    for e in ents:
        if res.reached(e.node) and res.missing(e.node) is not None:
            depth = length_si(ctx, e.space, "vertical_depth")
            yield ctx.diag(NO_RETRIEVAL, f"`{e.space}` is entered in `{e.name}`, {depth:g} m "
                           "down, with no retrieval device rigged", e.node,
                           path=witness(res, e.node),
                           help="rig a tripod and winch (a kind that accepts `retrieve`) "
                           "over the portal before the entry")


@rule(NOT_CANCELLED, PACK, "29 CFR 1910.146(e)(5)")
def not_cancelled(ctx: RuleContext):
    an = analysis(ctx)
    if not an.entries:
        return
    signed = [p.name.name for p in ctx.proc.permits
              if any(a.permit is not None and a.permit.name == p.name.name
                     and a.op in ("permit_issue", "permit_sign")
                     for n in ctx.step_nodes() for a in ctx.actions(n))]
    for e in an.entries:
        if first_gap(an.exit_results(e.space), e.node) is not None:
            continue  # reported as entry-without-exit
        for name in signed:
            def classes(n, name=name, space=e.space):
                out = set(an.exit_classes(space)(n))
                if any(a.op == "permit_revoke" and a.permit.name == name
                       for a in ctx.actions(n)):
                    out.add("revoke")
                return frozenset(out)

            res = first_gap(reverse_results(ctx, ["revoke", "exit"], classes), e.node)
            if res is None:
                continue
            path = _through(ctx, e.node, witness(res, e.node))
            after = path[path.index(e.node) + 1:]
            if res.missing(e.node) == "exit":
                at = next((n for n in after if "revoke" in classes(n)), e.node)
                message = f"permit `{name}` is cancelled while the entrant is still in `{e.space}`"
            else:
                at = next((n for n in reversed(after) if "exit" in classes(n)), e.node)
                message = f"permit `{name}` is not cancelled after the entrant leaves `{e.space}`"
            yield ctx.diag(NOT_CANCELLED, message, at, path=path,
                           labels=[Label(span=ctx.span(e.node), message="entry here")],
                           help=f"`revoke permit {name}` after the exit, on every path")


@rule(NOT_ACCOUNTED, PACK, "29 CFR 1910.146(i)(3)")
def not_accounted(ctx: RuleContext):
    an = analysis(ctx)
    seen = set()
    for e in an.entries:
        results = reverse_results(ctx, ["account"], lambda n, s=e.space: frozenset({"account"})
                           if an.accounts(n, s) else frozenset())
        for x in an.exits(e.space):
            res = first_gap(results, x)
            if x in seen or res is None or any(a.op == "account" for a in ctx.actions(x)):
                continue
            seen.add(x)
            kind = ctx.kind(e.space)
            count = next((st.name.name for st in kind.states if st.type.name.name == "count"),
                         None) if kind is not None else None
            who = ", ".join(sorted({r for r in (ctx.performer(e.node),) if r})) or "ROLES"
            yield ctx.diag(NOT_ACCOUNTED, f"after `{_name(ctx, x)}` nobody accounts for the "
                           f"entrants of `{e.space}`", x,
                           path=_through(ctx, x, witness(res, x)),
                           help=f"add `account for {who}` after the exit" + (
                               f", or `record {e.space}.{count}`" if count else ""))


@rule(SETPOINT, PACK, "29 CFR 1910.146(b)")
def setpoint(ctx: RuleContext):
    if not _entries(ctx):
        return
    for a, d in ctx.g.nodes(data=True):
        if d.get("kind") != "alarm":
            continue
        reach = sorted((p for p, ed in ctx.g.pred[a].items() if ed.get("kind") == "alarm"),
                       key=list(ctx.g.nodes).index)
        for span, message, hint in alarm_setpoints(ctx, d["condition"]):
            yield ctx.diag(SETPOINT, message, span,
                           path=[*_lead(ctx, reach[0]), a] if reach else None, help=hint)

