"""Writes the per-code cases (run once by hand; the files are committed).

Each code gets `cases/TWxxxx.twin`, which must produce it, and `cases/TWxxxx.ok.twin`, the
same input corrected, which must produce no diagnostic at all.
"""

import re
from pathlib import Path

HEAD = 'scenario "Case" {\n  id case\n  risk high\n}\n\n'
EQ = (
    "equipment V-1 is Valve {\n  size = 2 in\n}\n"
    "equipment M-1 is Motor\n"
    "equipment PB-1 is Button\n"
    "equipment ACC-1 is Vessel {\n  volume = 10 L\n}\n\n"
)


def proc(body: str, extra: str = "") -> str:
    return HEAD + EQ + extra + 'procedure p "P" {\n  performed_by operator\n' + body + "}\n"


STEPS = (
    "  step stop: press PB-1 expect M-1.speed <= 1 rpm within 40 s\n"
    "  step isolate: close V-1\n"
    "  step lock: apply lock to V-1\n"
)

CASES: dict[str, tuple[str, str]] = {
    "TW0100": ('role a "A" )\n', 'role a "A"\n'),
    "TW0101": ("role a @ \"A\"\n", "role a \"A\"\n"),
    "TW0102": ('role a "Operator \\q"\n', 'role a "Operator \\\\q"\n'),
    "TW0103": ('role a "Operator\n', 'role a "Operator"\n'),
    "TW0104": ('kind K {\n  state s: boolean\n', 'kind K {\n  state s: boolean\n}\n'),
    "TW0105": ("equipment M-2 is Motor { power = 7.5 kW power = 3 kW }\n",
               "equipment M-2 is Motor { power = 7.5 kW }\n"),
    "TW0106": (proc("  if V-1.position > 50 % {\n    step a: close V-1\n  }\n  else {\n    step b: open V-1\n  }\n"),
               proc("  if V-1.position > 50 % {\n    step a: close V-1\n  } else {\n    step b: open V-1\n  }\n")),
    "TW0107": ("equipment V-2 is Valve {\n  size 2 in\n}\n", "equipment V-2 is Valve {\n  size = 2 in\n}\n"),
    "TW0108": (proc("  step s: press PB-1 expect M-1.speed = 0 rpm\n"),
               proc("  step s: press PB-1 expect M-1.speed == 0 rpm\n")),
    "TW0109": (proc("  step: close V-1\n"), proc("  step s: close V-1\n")),
    "TW0110": (proc("  step s close V-1\n"), proc("  step s: close V-1\n")),
    "TW0111": ("equipment V-2 Valve {\n  size = 2 in\n}\n", "equipment V-2 is Valve {\n  size = 2 in\n}\n"),
    "TW0112": (proc(STEPS + "  on alarm ACC-1.pressure > 5 bar goto isolate\n"),
               proc(STEPS + "  on alarm ACC-1.pressure > 5 bar -> goto isolate up to 3 times\n")),
    "TW0113": ("use lib.Valve\n", "use lib.{Valve}\n\nequipment V-2 is Valve {\n  size = 2 in\n}\n"),
    "TW0114": (proc(STEPS + "  on alarm ACC-1.pressure > 5 bar -> goto isolate up to three times\n"),
               proc(STEPS + "  on alarm ACC-1.pressure > 5 bar -> goto isolate up to 3 times\n")),
    "TW0116": ('scenario "Case" {\n  id case\n  risk high\n  risk low\n}\n',
               'scenario "Case" {\n  id case\n  risk high\n}\n'),
    "TW0117": ('role a "A" {\n  qualified\n\nrole b "B"\n', 'role a "A" {\n  qualified\n}\n\nrole b "B"\n'),
    "TW0118": ('role a "A" {\n  description = "Operator"\n}\n', 'role a "A" {\n  description "Operator"\n}\n'),
    "TW0119": (proc("  step stop: press PB-1 expect M-1.speed <= 1 rpm within\n"),
               proc("  step stop: press PB-1 expect M-1.speed <= 1 rpm within 40 s\n")),
    "TW0120": ("role helper Helper\n", 'role helper "Helper"\n'),
    "TW0121": ('role a "A"\n{\n  qualified\n}\n', 'role a "A" {\n  qualified\n}\n'),
    "TW0122": (proc("  step isolate: close V-1; apply lock to V-1\n"),
               proc("  step isolate: close V-1 and apply lock to V-1\n")),
    "TW0123": (proc("  step isolate: close V-1 apply lock to V-1\n"),
               proc("  step isolate: close V-1 and apply lock to V-1\n")),
    "TW0124": (proc("  step close valve: close V-1\n"), proc("  step close_valve: close V-1\n")),
    "TW0125": ('role a "A"\n}\n', 'role a "A"\n'),
    "TW0126": (proc("  if V-1.position > 50 % {\n    step a: close V-1\n  } else if V-1.position > 0 % {\n    step b: close V-1\n  }\n"),
               proc("  if V-1.position > 50 % {\n    step a: close V-1\n  } else {\n    if V-1.position > 0 % {\n      step b: close V-1\n    }\n  }\n")),
    "TW0127": (proc("  step settle: wait for 5 min\n"), proc("  step settle: wait 5 min\n")),
    "TW0128": (proc("  stpe isolate: close V-1\n"), proc("  step isolate: close V-1\n")),
    "TW0201": ("use lib.equipmnet.{Valve}\n", "use lib.{Valve}\n\nequipment V-2 is Valve {\n  size = 2 in\n}\n"),
    "TW0202": ("use lib.{Vlave}\n", "use lib.{Valve}\n\nequipment V-2 is Valve {\n  size = 2 in\n}\n"),
    "TW0204": (proc(STEPS.replace("apply lock to V-1", "apply lock to V-11")), proc(STEPS)),
    "TW0205": (HEAD + EQ + "equipment V-1 is Valve {\n  size = 3 in\n}\n",
               HEAD + EQ + "equipment V-2 is Valve {\n  size = 3 in\n}\n"),
    "TW0206": (proc(STEPS.replace("apply lock to V-1", "apply lock to operator")), proc(STEPS)),
    "TW0207": ('use lib.{Valve, Motor}\n\nequipment V-2 is Valve {\n  size = 2 in\n}\n',
               'use lib.{Valve}\n\nequipment V-2 is Valve {\n  size = 2 in\n}\n'),
    "TW0208": ('module "A"\nmodule "B"\n', 'module "A"\n'),
    "TW0209": ('use lib.{Valve, operator}\n\nequipment V-2 is Valve {\n  size = 2 in\n}\n\nprocedure p {\n  performed_by operator\n  step s: close V-2\n}\n',
               'scenario "Close V-2" {\n  id close-v2\n  risk low\n}\nuse lib.{Valve, operator}\n\nequipment V-2 is Valve {\n  size = 2 in\n}\n\nprocedure p {\n  performed_by operator\n  step s: close V-2\n}\n'),
    "TW0301": ("equipment V-2 is Valve {\n  size = 2 nch\n}\n", "equipment V-2 is Valve {\n  size = 2 in\n}\n"),
    "TW0302": ("equipment V-2 is Valve {\n  size = 2 in\n  torque = 40 N\n}\n",
               "equipment V-2 is Valve {\n  size = 2 in\n  torque = 40 N*m\n}\n"),
    "TW0303": ("equipment V-2 is Valve {\n  size = 2\n}\n", "equipment V-2 is Valve {\n  size = 2 in\n}\n"),
    "TW0304": ("equipment V-2 is Valve {\n  size = 2 in\n  tunrs = 8\n}\n",
               "equipment V-2 is Valve {\n  size = 2 in\n  turns = 8\n}\n"),
    "TW0305": ("equipment V-2 is Valve {\n  turns = 8\n}\n", "equipment V-2 is Valve {\n  size = 2 in\n  turns = 8\n}\n"),
    "TW0306": ("equipment V-2 is Valve {\n  size = 2 in\n  turns = 500\n}\n",
               "equipment V-2 is Valve {\n  size = 2 in\n  turns = 50\n}\n"),
    "TW0307": ("kind K {\n  param p: presure = 1 bar\n}\n", "kind K {\n  param p: pressure = 1 bar\n}\n"),
    "TW0308": (proc("  step s: press PB-1 expect M-1.sped <= 1 rpm\n"),
               proc("  step s: press PB-1 expect M-1.speed <= 1 rpm\n")),
    "TW0309": (proc("  step s: open M-1\n"), proc("  step s: stop M-1\n")),
    "TW0310": ("equipment V-2 is Valve {\n  size = 2 in\n  seat = rubber\n}\n",
               "equipment V-2 is Valve {\n  size = 2 in\n  seat = soft\n}\n"),
    "TW0311": ("kind K {\n  param p: pressure = 1 bar range 10 bar .. 5 bar\n}\n",
               "kind K {\n  param p: pressure = 6 bar range 5 bar .. 10 bar\n}\n"),
    "TW0312": ('equipment V-2 is Valve {\n  size = "two inches"\n}\n', "equipment V-2 is Valve {\n  size = 2 in\n}\n"),
    "TW0313": ("equipment V-2 is Valve {\n  size = 1e999 in\n}\n", "equipment V-2 is Valve {\n  size = 1 in\n}\n"),
    "TW0314": ("kind K {\n  stores hydralic\n}\n", "kind K {\n  stores hydraulic\n}\n"),
    "TW0401": (proc(STEPS + "  on alarm ACC-1.pressure > 5 bar -> goto islate up to 3 times\n"),
               proc(STEPS + "  on alarm ACC-1.pressure > 5 bar -> goto isolate up to 3 times\n")),
    "TW0402": (proc("  roles operator, supervisor\n" + STEPS
                    + "  step check: close V-1 verified_by supervisr\n"),
               proc("  roles operator, supervisor\n" + STEPS
                    + "  step check: close V-1 verified_by supervisor\n")),
    "TW0403": ('scenario "Case" {\n  id case\n  risk hihg\n}\n', 'scenario "Case" {\n  id case\n  risk high\n}\n'),
    "TW0404": (proc(STEPS) + "\ncompetency c {\n  assesses p\n  sequence_acuracy >= 95 %\n}\n",
               proc(STEPS) + "\ncompetency c {\n  assesses p\n  sequence_accuracy >= 95 %\n}\n"),
    "TW0405": (proc(STEPS) + "\ncompetency c {\n  assesses p\n  step_time <= 2 min\n}\n",
               proc(STEPS) + "\ncompetency c {\n  assesses p\n  step_time lock <= 2 min\n}\n"),
    "TW0406": (proc('  permit entry "Entry permit"\n' + STEPS + "  step sign: sign permit entyr\n"),
               proc('  permit entry "Entry permit"\n' + STEPS + "  step sign: sign permit entry\n")),
    "TW0407": (proc(STEPS.replace("apply lock to", "apply padlock to")), proc(STEPS)),
    "TW0408": (proc("  permit entry\n"), proc("  permit entry\n  step s: close V-1\n")),
    "TW0409": (proc('  hazard nip "Nip point" class mechancal\n' + STEPS),
               proc('  hazard nip "Nip point" class mechanical\n' + STEPS)),
    "TW0410": (proc(STEPS + "  step w: wait 0 s\n"), proc(STEPS + "  step w: wait 10 s\n")),
    "TW0411": ("reactivity a 1\nreactivity b 2\nincompatible a with b: hot\n",
               "reactivity a 1\nreactivity b 2\nincompatible a with b: heat\n"),
    "TW0412": ('allow TW9999 because "not applicable"\n', ""),
    "TW0413": ('allow TW0304 because "not applicable"\n', ""),
    "TW0414": ('substance x "X" {\n  flashpoint = 10 degC\n}\n', 'substance x "X" {\n  flash_point = 10 degC\n}\n'),
}


LIB_NAMES = ("Valve", "Motor", "Button", "Vessel", "operator", "supervisor")


def with_use(text: str) -> str:
    """Prepend `use lib.{...}` for the shared kinds a case needs, when it has no `use`."""
    if "use " in text:
        return text
    needed = [n for n in LIB_NAMES if re.search(rf"\b{n}\b", text)]
    if not needed:
        return text
    return f"use lib.{{{', '.join(needed)}}}\n\n" + text


def main() -> None:
    out = Path(__file__).parent / "cases"
    for code, (bad, good) in CASES.items():
        (out / f"{code}.twin").write_text(with_use(bad), encoding="utf-8")
        (out / f"{code}.ok.twin").write_text(with_use(good), encoding="utf-8")


if __name__ == "__main__":
    main()
