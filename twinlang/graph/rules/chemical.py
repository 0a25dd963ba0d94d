"""Chemical handling: incompatible materials, static control of flammable liquids, PPE.

A transfer is a generic action that moves material `to` other equipment
(`transfer D-1 to SC-1`): what it moves is what the source holds, its declared `contains`
and whatever earlier transfers on some path put into it.  Substances belong to EPA
reactivity groups; the `incompatible` pairs of the prelude (and of any module in scope)
say which must never meet (EPA-600/2-80-076).  A flammable liquid of category 1 or 2, or
with a flash point below 37.8 °C, is dispensed only with source and receiver bonded and
the source grounded (29 CFR 1910.106(e)(6)(ii)).
"""

from __future__ import annotations

from dataclasses import dataclass

from ... import ast
from ...diagnostics import Label
from ...diagnostics.codes import define
from ...semantics import units
from ..dataflow import FLOW_EDGES, ordered_phases, path_between, reachable, witness
from ..model import START
from . import RuleContext, rule

PACK = "chemical handling"

INCOMPATIBLE_TRANSFER = define("TW0901", "incompatible-transfer", "error",
    "a transfer that mixes substances of incompatible reactivity groups",
    """
    EPA-600/2-80-076 ("A Method for Determining the Compatibility of Hazardous Wastes")
    lists pairs of reactivity groups that react dangerously when mixed: heat, fire, toxic
    or flammable gas, explosion, violent polymerization. The prelude declares them as
    `incompatible A with B: consequences`. A transfer into a container that holds (or on
    some path received) a substance of a group incompatible with what is transferred
    mixes them. A pair that is not declared is not evidence of compatibility.

    Fix: transfer into a clean container or one dedicated to the same substance, or
    empty and clean the receiver first (and do not declare it `contains` the old one).
    """, PACK)

INCOMPATIBLE_CONTENTS = define("TW0902", "incompatible-contents", "error",
    "equipment declared to hold substances of incompatible reactivity groups",
    """
    Equipment that `contains` two substances whose reactivity groups are declared
    `incompatible` (EPA-600/2-80-076) holds a mixture that heats, burns, gives off toxic
    or flammable gas or explodes. Either the declaration is wrong or the plant is.

    Fix: correct the `contains` list; keep incompatible substances in separate
    equipment.
    """, PACK)

NOT_BONDED = define("TW0903", "transfer-not-bonded", "error",
    "a flammable liquid transferred between containers that are not bonded",
    """
    Flowing flammable liquid charges the containers; a spark between them ignites the
    vapor. Category 1 or 2 flammable liquids, and category 3 ones with a flash point
    below 37.8 °C (100 °F), are dispensed only when the nozzle and the receiving container
    are electrically interconnected (29 CFR 1910.106(e)(6)(ii)). twinlang reads the
    substance's `flammable_category` and `flash_point` and requires, on every path to
    the transfer, `apply bond to` both the source and the receiver.

    Fix: `apply bond to SOURCE, RECEIVER` before the transfer.
    """, PACK)

NOT_GROUNDED = define("TW0904", "transfer-not-grounded", "error",
    "a flammable liquid dispensed from a container that is not grounded",
    """
    Bonding equalizes the potential of the two containers; grounding the dispensing
    container drains the charge to earth (29 CFR 1910.106(e)(6)(ii); NFPA 77 practice:
    ground the drum, bond the drum to the receiver). Required for the same liquids as
    TW0903, on every path to the transfer.

    Fix: `apply ground to SOURCE` before the transfer.
    """, PACK)

BOND_EARLY = define("TW0905", "bond-removed-early", "error",
    "a bond or ground removed while a flammable transfer can still follow",
    """
    Bonding and grounding stay in place until the transfer is over and the containers
    are closed (29 CFR 1910.106(e)(6)(ii)). A path from the removal of a bond or ground
    to a transfer of a flammable liquid through the same container, without the clamp
    being put back, is an unbonded transfer.

    Fix: move the removal after the last transfer, or re-apply the bond before it.
    """, PACK)

NO_PPE = define("TW0906", "chemical-ppe-missing", "error",
    "a procedure handling hazardous chemicals with no PPE declared",
    """
    Personal protective equipment for the hazards of the task is selected and used
    (29 CFR 1910.132(a), (d)): eye and face protection and chemical gloves for corrosive
    and toxic liquids, flame-resistant clothing for flammable ones. A procedure whose
    hazards (declared, or those of the substances it transfers) are corrosive, toxic,
    flammable_liquid or reactive declares its PPE with `ppe "...", ...`.
    """, PACK)

UNDECLARED = define("TW0907", "chemical-hazard-undeclared", "warning",
    "a transferred substance whose hazard class the procedure does not declare",
    """
    The trainee is warned of the hazards a procedure declares. A substance transferred by
    the procedure that is a flammable liquid (by `flammable_category` or a flash point up
    to 93 °C), corrosive (an acid or caustic reactivity group) or reactive (explosives,
    organic peroxides, water-reactive, polymerizable, alkali metals) should have a
    `hazard NAME "..." class CLASS` of that class (29 CFR 1910.1200 hazard
    classification).
    """, PACK)

NONCONDUCTIVE = define("TW0908", "nonconductive-container", "warning",
    "a flammable liquid transferred to or from a container that does not conduct",
    """
    A bond clamp on a plastic container drains nothing: the charge stays on the liquid
    and the container wall. Non-conductive receivers need a grounded fill tube reaching
    the bottom, or a conductive container (NFPA 77 practice, domain-facts 4.4). twinlang
    reads the equipment's `conductive` parameter.
    """, PACK)

#: 1910.106(e)(6)(ii): category 3 liquids need bonding below 100 °F (37.8 °C).
BONDING_FLASH_POINT_K = 310.95
#: GHS / HCS 2012 flammable liquids: flash point at most 93 °C.
FLAMMABLE_LIQUID_FLASH_POINT_K = 366.15
CORROSIVE_GROUPS = frozenset({"acids_mineral_nonoxidizing", "acids_mineral_oxidizing",
                              "acids_organic", "caustics"})
REACTIVE_GROUPS = frozenset({"explosives", "organic_peroxides", "water_reactive",
                             "polymerizable", "metals_alkali_alkaline_earth"})
CHEMICAL_CLASSES = ("corrosive", "toxic", "flammable_liquid", "reactive")
BOND, GROUND = "bond", "ground"


@dataclass(frozen=True)
class Transfer:
    node: str
    source: str
    receiver: str
    action: ast.Action


def _param(sub: ast.Substance, name: str):
    return next((p.value for p in sub.params if p.name.name == name), None)


def _qtext(value) -> str:
    return f"{value.text} {value.unit}" if value.unit else value.text


def flammability(sub: ast.Substance) -> tuple[bool, bool, str]:
    """(needs bonding, is a flammable liquid, how it is classified)."""
    fp_value, cat_value = _param(sub, "flash_point"), _param(sub, "flammable_category")
    fp = cat = None
    try:
        if isinstance(fp_value, ast.QuantityValue):
            fp = units.convert(fp_value.number, fp_value.unit, "temperature").si
    except Exception:  # reported by the semantic stage
        fp = None
    if isinstance(cat_value, ast.QuantityValue):
        cat = int(cat_value.number)
    bonding = cat in (1, 2) or (fp is not None and fp < BONDING_FLASH_POINT_K) or (
        cat == 3 and fp is None)
    liquid = cat in (1, 2, 3, 4) or (fp is not None and fp <= FLAMMABLE_LIQUID_FLASH_POINT_K)
    parts = ([f"category {cat}"] if cat else []) + (
        [f"flash point {_qtext(fp_value)}"] if fp is not None else [])
    return bonding, liquid, ", ".join(parts)


def hazard_classes(sub: ast.Substance) -> list[str]:
    groups = {g.name for g in sub.groups}
    out = []
    if flammability(sub)[1]:
        out.append("flammable_liquid")
    if groups & CORROSIVE_GROUPS:
        out.append("corrosive")
    if groups & REACTIVE_GROUPS:
        out.append("reactive")
    return out


class Chemistry:
    """Substances, incompatibilities and transfers of one procedure (shared by the rules)."""

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.table: dict[frozenset, ast.Incompatible] = {}
        mods = {id(ctx.sg.module): ctx.sg.module} if ctx.sg.module is not None else {}
        for decl in ctx.scope.values():
            mods.setdefault(id(decl.module), decl.module)
        for mod in mods.values():
            for item in mod.ast.items if mod.ast is not None else ():
                if isinstance(item, ast.Incompatible):
                    self.table.setdefault(frozenset({item.first.name, item.second.name}), item)
        self.transfers = [Transfer(n, s.head.name, r.head.name, a)
                          for n in ctx.step_nodes() for a in ctx.actions(n)
                          if a.op == "do" and a.to and a.preposition == "to"
                          for s in a.targets for r in a.to
                          if len(s.parts) == 1 and len(r.parts) == 1 and s.head.name !=
                          r.head.name and ctx.equipment(s.head.name) and
                          ctx.equipment(r.head.name)]
        self.held = self._contents()
        self._results: dict = {}

    def substance(self, name: str) -> ast.Substance | None:
        decl = self.ctx.scope.get(name)
        return decl.node if decl is not None and decl.category == "substance" else None

    def declared(self, tag: str) -> dict[str, object]:
        eq = self.ctx.equipment(tag)
        return {r.head.name: None for r in (eq.contains if eq is not None else ())
                if self.substance(r.head.name) is not None}

    def _contents(self) -> dict:
        """(transfer index, tag) → {substance: the transfer that brought it, or None}."""
        g = self.ctx.g
        held = {(i, tag): self.declared(tag) for i, t in enumerate(self.transfers)
                for tag in (t.source, t.receiver)}
        reach = {t.node: reachable(g, t.node, edge_kinds=FLOW_EDGES) for t in self.transfers}
        changed = True
        while changed:
            changed = False
            for i, u in enumerate(self.transfers):
                for j, t in enumerate(self.transfers):
                    if t.node == u.node or t.node not in reach[u.node]:
                        continue
                    for tag in {t.source, t.receiver} & {u.receiver}:
                        for sub in held[(i, u.source)]:
                            if sub not in held[(j, tag)]:
                                held[(j, tag)][sub] = u.node
                                changed = True
        return held

    def clash(self, a: str, b: str) -> tuple[str, str, ast.Incompatible] | None:
        sa, sb = self.substance(a), self.substance(b)
        if a == b or sa is None or sb is None:
            return None
        for ga in sa.groups:
            for gb in sb.groups:
                item = self.table.get(frozenset({ga.name, gb.name}))
                if item is not None:
                    return ga.name, gb.name, item
        return None

    def bonding_subs(self, i: int) -> list[tuple[str, str]]:
        """(substance, classification) of what transfer ``i`` moves that needs bonding."""
        out = []
        for name in self.held[(i, self.transfers[i].source)]:
            sub = self.substance(name)
            needs, _liquid, text = flammability(sub)
            if needs:
                out.append((name, text))
        return out

    def has(self, device: str, tag: str):
        key = (device, tag)
        if key not in self._results:
            ctx = self.ctx
            self._results[key] = ordered_phases(
                ctx.g, START, [device],
                lambda n: frozenset({device}) if any(
                    tag in targets for d, targets, _a in ctx.devices(n, "apply") if d == device)
                else frozenset())
        return self._results[key]


def chemistry(ctx: RuleContext) -> Chemistry:
    chem = ctx.__dict__.get("_chemistry")
    if chem is None:
        chem = ctx.__dict__["_chemistry"] = Chemistry(ctx)
    return chem


def _lead(ctx: RuleContext, n) -> list:
    return path_between(ctx.g, START, n) or [n]


def _via(ctx: RuleContext, origin, n) -> list:
    if origin is None:
        return _lead(ctx, n)
    return _lead(ctx, origin) + (path_between(ctx.g, origin, n) or [origin, n])[1:]


def _name(ctx: RuleContext, n) -> str:
    return ctx.g.nodes[n].get("name", n)


def _consequences(item: ast.Incompatible) -> str:
    return ", ".join(c.name.replace("_", " ") for c in item.consequences)


@rule(INCOMPATIBLE_TRANSFER, PACK, "EPA-600/2-80-076")
def incompatible_transfer(ctx: RuleContext):
    chem = chemistry(ctx)
    for i, t in enumerate(chem.transfers):
        found = next(((a, b, origin, hit) for a in chem.held[(i, t.source)]
                      for b, origin in chem.held[(i, t.receiver)].items()
                      if (hit := chem.clash(a, b)) is not None), None)
        if found is None:
            continue
        a, b, origin, (ga, gb, item) = found
        came = chem.held[(i, t.source)][a]
        notes = [f"`{s}` got into `{tag}` in `{_name(ctx, o)}`"
                 for s, tag, o in ((a, t.source, came), (b, t.receiver, origin)) if o]
        origin = origin or came
        notes.append(f"EPA-600/2-80-076: `{ga}` with `{gb}` gives {_consequences(item)}")
        yield ctx.diag(INCOMPATIBLE_TRANSFER,
                       f"`{_name(ctx, t.node)}` mixes `{a}` from `{t.source}` with `{b}` in "
                       f"`{t.receiver}`: {_consequences(item)}", t.node,
                       path=_via(ctx, origin, t.node), notes=notes,
                       help=f"transfer into a clean container or one kept for `{a}`; never "
                       f"let `{ga}` meet `{gb}`")


@rule(INCOMPATIBLE_CONTENTS, PACK, "EPA-600/2-80-076")
def incompatible_contents(ctx: RuleContext):
    chem = chemistry(ctx)
    used: dict[str, str] = {}
    for n in ctx.step_nodes():
        refs = [r for a in ctx.actions(n) for r in (*a.targets, *a.to)] + ctx.expect_refs(n)
        for r in refs:
            used.setdefault(r.head.name, n)
    local = [d.name for d in ctx.sg.module.decls.values() if d.category == "equipment"] \
        if ctx.sg.module is not None else []
    for tag in dict.fromkeys([*local, *used]):
        eq = ctx.equipment(tag)
        refs = list(eq.contains) if eq is not None else []
        hit = next(((x, y, c) for k, x in enumerate(refs) for y in refs[k + 1:]
                    if (c := chem.clash(x.head.name, y.head.name)) is not None), None)
        if hit is None:
            continue
        x, y, (ga, gb, item) = hit
        yield ctx.diag(INCOMPATIBLE_CONTENTS,
                       f"`{tag}` holds `{x.head.name}` and `{y.head.name}` together: "
                       f"{_consequences(item)}", y.span,
                       path=_lead(ctx, used[tag]) if tag in used else None,
                       labels=[Label(span=x.span, message=f"group `{ga}`")],
                       notes=[f"EPA-600/2-80-076: `{ga}` with `{gb}` gives "
                              f"{_consequences(item)}"],
                       help="correct the `contains` list, or keep these substances in "
                       "separate equipment")


def _bonded_transfers(chem: Chemistry):
    for i, t in enumerate(chem.transfers):
        subs = chem.bonding_subs(i)
        if subs:
            yield i, t, subs


def _why(subs) -> str:
    name, text = subs[0]
    return (f"`{name}` ({text}) must be bonded and grounded when dispensed: "
            "29 CFR 1910.106(e)(6)(ii)")


@rule(NOT_BONDED, PACK, "29 CFR 1910.106(e)(6)(ii)")
def not_bonded(ctx: RuleContext):
    chem = chemistry(ctx)
    for _i, t, subs in _bonded_transfers(chem):
        results = [(tag, chem.has(BOND, tag)) for tag in (t.source, t.receiver)]
        missing = [(tag, r) for tag, r in results if r.reached(t.node) and r.missing(t.node)]
        if not missing:
            continue
        what = " and ".join(f"`{tag}`" for tag, _r in missing)
        yield ctx.diag(NOT_BONDED, f"`{_name(ctx, t.node)}` transfers `{subs[0][0]}` with "
                       f"{what} not bonded", t.node, path=witness(missing[0][1], t.node),
                       notes=[_why(subs)],
                       help=f"`apply bond to {t.source}, {t.receiver}` before the transfer")


@rule(NOT_GROUNDED, PACK, "29 CFR 1910.106(e)(6)(ii)")
def not_grounded(ctx: RuleContext):
    chem = chemistry(ctx)
    for _i, t, subs in _bonded_transfers(chem):
        res = chem.has(GROUND, t.source)
        if res.reached(t.node) and res.missing(t.node):
            yield ctx.diag(NOT_GROUNDED, f"`{_name(ctx, t.node)}` dispenses `{subs[0][0]}` "
                           f"from `{t.source}`, which is not grounded", t.node,
                           path=witness(res, t.node), notes=[_why(subs)],
                           help=f"`apply ground to {t.source}` before the transfer")


@rule(BOND_EARLY, PACK, "29 CFR 1910.106(e)(6)(ii)")
def bond_early(ctx: RuleContext):
    chem = chemistry(ctx)
    risky = list(_bonded_transfers(chem))
    if not risky:
        return
    start = reachable(ctx.g, START)
    for n in ctx.step_nodes():
        if n not in start:
            continue
        for device, _targets, action in ctx.devices(n, "remove"):
            if device not in (BOND, GROUND):
                continue
            hits = []  # (target ref, transfer node, path)
            for ref in action.targets:
                tag = ref.head.name
                again = {m for m in ctx.step_nodes() if m != n and any(
                    d == device and tag in ts for d, ts, _a in ctx.devices(m, "apply"))}
                for _i, t, _subs in risky:
                    if t.node == n or tag not in ((t.source, t.receiver) if device == BOND
                                                  else (t.source,)):
                        continue
                    path = path_between(ctx.g, n, t.node, edge_kinds=FLOW_EDGES | {"resume"},
                                        avoid=again)
                    if path is not None:
                        hits.append((ref, t.node, path))
                        break
            if not hits:
                continue
            ref, t, path = hits[0]
            tags = " and ".join(f"`{r.head.name}`" for r, _t, _p in hits)
            yield ctx.diag(BOND_EARLY, f"the {device} on {tags} comes off in `{_name(ctx, n)}` "
                           f"before `{_name(ctx, t)}`", ref.span, path=_lead(ctx, n) + path[1:],
                           labels=[Label(span=ctx.span(t), message="transfer after the removal")],
                           help=f"remove the {device} after the last transfer and after the "
                           "containers are closed")


def _transferred_classes(ctx: RuleContext, chem: Chemistry) -> dict[str, tuple]:
    """Hazard class → (transfer node, substance) for what the procedure transfers."""
    out: dict[str, tuple] = {}
    for i, t in enumerate(chem.transfers):
        for name in chem.held[(i, t.source)]:
            for cls in hazard_classes(chem.substance(name)):
                out.setdefault(cls, (t.node, name))
    return out


@rule(NO_PPE, PACK, "29 CFR 1910.132(a), (d)")
def no_ppe(ctx: RuleContext):
    if ctx.proc.ppe:
        return
    chem = chemistry(ctx)
    derived = _transferred_classes(ctx, chem)
    declared = [h for h in ctx.proc.hazards
                if h.hazard_class is not None and h.hazard_class.name in CHEMICAL_CLASSES]
    classes = list(dict.fromkeys([*(h.hazard_class.name for h in declared), *derived]))
    if not classes:
        return
    first = min((n for n, _s in derived.values()), key=list(ctx.g.nodes).index, default=None)
    labels = [Label(span=h.hazard_class.span, message="chemical hazard") for h in declared[:1]]
    yield ctx.diag(NO_PPE, f"procedure `{ctx.proc.name.name}` handles "
                   + ", ".join(f"`{c}`" for c in classes) + " hazards but declares no PPE",
                   ctx.proc.name.span, path=_lead(ctx, first) if first else None,
                   labels=labels, help='declare it: `ppe "chemical splash goggles", '
                   '"chemical gloves", ...` as the SDS prescribes')


@rule(UNDECLARED, PACK, "29 CFR 1910.1200")
def undeclared(ctx: RuleContext):
    chem = chemistry(ctx)
    have = {h.hazard_class.name for h in ctx.proc.hazards if h.hazard_class is not None}
    for cls, (n, name) in _transferred_classes(ctx, chem).items():
        if cls not in have:
            yield ctx.diag(UNDECLARED, f"`{_name(ctx, n)}` transfers `{name}` "
                           f"({cls.replace('_', ' ')}) but the procedure declares no "
                           f"`{cls}` hazard", n, path=_lead(ctx, n),
                           help=f'declare it: `hazard NAME "..." class {cls}`')


@rule(NONCONDUCTIVE, PACK, "NFPA 77")
def nonconductive(ctx: RuleContext):
    chem = chemistry(ctx)
    for _i, t, subs in _bonded_transfers(chem):
        for tag in (t.source, t.receiver):
            eq, kind = ctx.equipment(tag), ctx.kind(tag)
            value = next((p.value for p in eq.params if p.name.name == "conductive"), None)
            if value is None and kind is not None:
                value = next((p.default for p in kind.params if p.name.name == "conductive"),
                             None)
            if isinstance(value, ast.BoolValue) and not value.value:
                yield ctx.diag(NONCONDUCTIVE, f"`{_name(ctx, t.node)}` transfers `{subs[0][0]}` "
                               f"with non-conductive `{tag}`: a bond does not drain its charge",
                               t.node, path=_lead(ctx, t.node),
                               help="use a conductive container, or a grounded fill tube "
                               "that reaches the bottom of the receiver")
