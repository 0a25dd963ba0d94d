"""Defective variants of examples/chemical_transfer.twin caught by the chemical pack.

Each test applies one realistic mistake to the example in memory (a step removed, two
steps swapped, a container that still holds something else, PPE forgotten), checks the
result and expects the right TW09xx code with a `path:` note at the step concerned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.graph.test_confined_variants import line_of, remove, step_block, swap
from twinlang.api import check_files

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chemical_transfer.twin"


def example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def check(text: str, tmp_path: Path, monkeypatch) -> list:
    (tmp_path / "chemical_transfer.twin").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return check_files([Path("chemical_transfer.twin")]).diagnostics


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def can_reused_for_bleach(text: str) -> str:
    """The safety can last held hypochlorite solution (an oxidizer)."""
    can = text[text.index("equipment SC-1"):]
    can = can[:can.index("\n}\n")]
    text = replace(text, can, can.replace("contains acetone", "contains sodium_hypochlorite"))
    return replace(text, "use stdlib.chemicals.{acetone}",
                   "use stdlib.chemicals.{acetone, sodium_hypochlorite}")


def plastic_can(text: str) -> str:
    can = text[text.index("equipment SC-1"):]
    can = can[:can.index("\n}\n")]
    return replace(text, can, can.replace("conductive = true", "conductive = false"))


def test_example_has_no_chemical_finding(tmp_path, monkeypatch):
    diags = check(example(), tmp_path, monkeypatch)
    assert [d for d in diags if d.code.startswith("TW09")] == []


VARIANTS = [
    # (id, mutation, code, step where it shows, words in the message)
    ("bond-step-removed",
     lambda t: replace(remove(t, "bond"), "requires ground and bond", "requires ground"),
     "TW0903", "pour", "`D-1` and `SC-1` not bonded"),
    ("ground-step-removed",
     lambda t: replace(remove(t, "ground"), "requires ground and bond", "requires bond"),
     "TW0904", "pour", "from `D-1`, which is not grounded"),
    ("unbond-swapped-with-pour", lambda t: swap(t, "pour", "unbond"), "TW0905", "unbond",
     "comes off in `unbond` before `pour`"),
    ("can-reused-for-bleach", can_reused_for_bleach, "TW0901", "pour",
     "mixes `acetone` from `D-1` with `sodium_hypochlorite` in `SC-1`"),
    ("ppe-forgotten",
     lambda t: replace(t, '  ppe "chemical splash goggles", "butyl rubber gloves", '
                       '"flame-resistant coat"\n', ""), "TW0906", None, "declares no PPE"),
    ("plastic-can", plastic_can, "TW0908", "pour", "non-conductive `SC-1`"),
]


@pytest.mark.parametrize("mutate, code, where, words", [v[1:] for v in VARIANTS],
                         ids=[v[0] for v in VARIANTS])
def test_variant_is_caught(mutate, code, where, words, tmp_path, monkeypatch):
    original = example()
    text = mutate(original)
    assert text != original
    diags = check(text, tmp_path, monkeypatch)
    hits = [d for d in diags if d.code == code]
    assert hits, f"expected {code}, got {[(d.code, d.message) for d in diags]}"
    d = hits[0]
    assert words in d.message
    assert any(n.startswith("path: start → ") for n in d.notes), d.notes
    if where is not None:
        first = line_of(text, where)
        assert first <= d.span.line < first + step_block(text, where).count("\n")
    assert not [x for x in diags if x.code < "TW0500" and x.severity.value == "error"]


WORKSHOP = """\
scenario "Decant into a funnel" {
  id decant
  risk medium
}

use stdlib.equipment.{ChemicalContainer}
use stdlib.chemicals.{nitric_acid, acetone}

role handler "Handler"

equipment D-2 "Nitric acid bottle" is ChemicalContainer {
  capacity = 2.5 L
  container_type = bottle
  contains nitric_acid
}
equipment B-1 "Beaker" is ChemicalContainer {
  capacity = 1 L
  container_type = bottle
}
equipment W-1 "Solvent waste can" is ChemicalContainer {
  capacity = 5 gal
  container_type = safety_can
  contains acetone
}

procedure decant "Decant and dispose" {
  performed_by handler
  hazard acid "Nitric acid" class corrosive
  ppe "face shield", "acid gloves"
  step fill: transfer D-2 to B-1
  step dump: transfer B-1 to W-1
}
"""


def test_incompatible_contents_carried_by_an_earlier_transfer(tmp_path, monkeypatch):
    """The beaker holds nothing declared: the acid it pours into the solvent can came from
    the bottle two steps earlier, and the diagnostic says so."""
    diags = check(WORKSHOP, tmp_path, monkeypatch)
    hits = [d for d in diags if d.code == "TW0901"]
    assert len(hits) == 1, [(d.code, d.message) for d in diags]
    d = hits[0]
    assert "`dump` mixes `nitric_acid` from `B-1` with `acetone` in `W-1`" in d.message
    assert "heat, fire" in d.message
    assert "path: start → fill → dump" in d.notes
    assert "`nitric_acid` got into `B-1` in `fill`" in d.notes
    assert d.span.line == WORKSHOP[:WORKSHOP.index("step dump")].count("\n") + 1


def test_acid_transfer_needs_no_bonding_but_declares_ppe(tmp_path, monkeypatch):
    text = WORKSHOP.replace('  ppe "face shield", "acid gloves"\n', "")
    codes = {d.code for d in check(text, tmp_path, monkeypatch)}
    assert "TW0906" in codes
    assert not codes & {"TW0903", "TW0904"}  # nitric acid is not a flammable liquid
