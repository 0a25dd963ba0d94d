"""The URDF writer and scene.json: every model parses and loads in PyBullet, the numbers
that matter to a trainee come from the source, text from the source stays text, and the
output is byte-identical from one compile to the next."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from twinlang.compile import compile_files

pybullet = pytest.importorskip("pybullet")
yourdfpy = pytest.importorskip("yourdfpy")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.twin"))

HOSTILE = ('</robot><script>alert(1)</script> & \\"q\\" \'a\' {{ 7*7 }} {% if x %} '
           '-- --> ]]> \\n<!-- x')

#: one piece of equipment of every stdlib kind, two kinds of its own, hostile titles
ALL_KINDS = f'''scenario "All kinds {HOSTILE}" {{
  id all-kinds
  risk low
}}

use stdlib.equipment.*

kind Widget "Odd {HOSTILE}" {{
  action inspect
}}

kind SluiceGate "Sluice gate" {{
  param turns_to_close: count = 12 range 1 .. 100
  param operating_torque: torque = 80 N*m range 1 N*m .. 1000 N*m
  isolates hydraulic
  action open, close
  lockable
}}

equipment V-1 "{HOSTILE}" is GateValve {{ turns_to_close = 3 }}
equipment BV-1 "Ball" is BallValve {{ }}
equipment GV-1 "Globe" is GlobeValve {{ }}
equipment DS-1 "Disconnect" is Disconnect {{ }}
equipment CB-1 "Breaker" is CircuitBreaker {{ drawout = true }}
equipment PB-1 "E-stop" is PushButton {{ function = emergency_stop }}
equipment SS-1 "Selector" is SelectorSwitch {{ }}
equipment M-1 "Motor" is Motor {{ coast_down = 20 s }}
equipment C-1 "Conveyor" is Conveyor {{ incline = 10 deg }}
equipment P-1 "Pump" is Pump {{ coast_down = 8 s }}
equipment PV-1 "Receiver" is PressureVessel {{ volume = 1 m^3 }}
equipment ACC-1 "Accumulator" is Accumulator {{ }}
equipment PL-1 "Air line" is PneumaticLine {{ }}
equipment SL-1 "Line" is ProcessLine {{ operating_pressure = 2 bar }}
equipment TK-1 "Tank" is Tank {{ volume = 20 m^3; height = 4 m }}
equipment TK-2 "Small tank" is Tank {{ volume = 50 L }}
equipment SP-1 "Spring" is SpringMechanism {{ stored_energy = 50 J; spring_force = 2 kN }}
equipment RL-1 "Ram" is RaisedLoad {{ load_mass = 500 kg; height = 1.5 m }}
equipment CAP-1 "Capacitors" is CapacitorBank {{ capacitance = 300 uF }}
equipment PNL-1 "Panel" is Panelboard {{
  available_fault_current = 20 kA
  incident_energy = 4 cal/cm^2
  arc_flash_boundary = 1 m
}}
equipment VT-1 "Tester" is VoltageTester {{ }}
equipment PU-1 "Prover" is ProvingUnit {{ }}
equipment CS-1 "Pit" is ConfinedSpace {{ volume = 8 m^3 }}
equipment GD-1 "Detector" is GasDetector {{ }}
equipment BL-1 "Blower" is VentilationBlower {{ rated_flow = 2000 m^3/h }}
equipment RS-1 "Tripod" is RetrievalSystem {{ }}
equipment CC-1 "Tote" is ChemicalContainer {{
  container_type = tote
  capacity = 1000 L
  conductive = false
  initial_fill = 50 %
}}
equipment LB-1 "Lock box" is LockBox {{ }}
equipment W-1 "{HOSTILE}" is Widget {{ }}
equipment SG-1 "Sluice" is SluiceGate {{ }}
'''


def _compile(sources: list[Path], out: Path) -> dict[str, Path]:
    result = compile_files(sources, out)
    errors = [f"{d.code} {d.message}" for d in result.report.diagnostics
              if d.severity.value == "error"]
    assert not errors          # (a plain list: the report's repr is huge)
    return {b.name: b for b in result.bundles}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("src")
    (src / "all_kinds.twin").write_text(ALL_KINDS, encoding="utf-8")
    out = tmp_path_factory.mktemp("bundles")
    built = _compile([*EXAMPLES, src / "all_kinds.twin"], out)
    assert len(built) == len(EXAMPLES) + 1
    return built


@pytest.fixture(scope="module")
def physics():
    client = pybullet.connect(pybullet.DIRECT)
    yield client
    pybullet.disconnect(client)


def _scenario(bundle: Path) -> dict:
    return json.loads((bundle / "scenario.json").read_text(encoding="utf-8"))


def _equipment(bundles) -> list[tuple[Path, dict]]:
    return [(b, eq) for b in bundles.values() for eq in _scenario(b)["equipment"]]


def _load(physics, path: Path, fixed: bool = True) -> int:
    pybullet.resetSimulation(physicsClientId=physics)
    return pybullet.loadURDF(str(path), useFixedBase=fixed, physicsClientId=physics,
                             flags=pybullet.URDF_USE_INERTIA_FROM_FILE)


def _joints(physics, body: int) -> dict[str, tuple]:
    n = pybullet.getNumJoints(body, physicsClientId=physics)
    infos = (pybullet.getJointInfo(body, i, physicsClientId=physics) for i in range(n))
    return {info[1].decode(): info for info in infos}


def _si(eq: dict, name: str) -> float:
    return eq["params"][name]["value"]["si"]


# ---------------------------------------------------------------- every model


def test_every_model_parses_with_physical_links(bundles):
    count = 0
    for bundle, eq in _equipment(bundles):
        path = bundle / eq["model"]
        robot = yourdfpy.URDF.load(str(path), build_scene_graph=False, load_meshes=False)
        assert robot.robot.name == eq["id"]
        for link in robot.robot.links:
            where = f"{eq['id']}:{link.name}"
            assert link.inertial is not None and link.inertial.mass > 0, where
            inertia = np.asarray(link.inertial.inertia, dtype=float)
            assert np.allclose(inertia, inertia.T), where
            principal = np.linalg.eigvalsh(inertia)
            assert principal.min() > 0, where
            a, b, c = principal
            slack = 1e-9 * principal.max()
            assert a + b >= c - slack and a + c >= b - slack and b + c >= a - slack, where
            assert link.visuals and link.collisions, where
            count += 1
    assert count > 60


def test_every_model_loads_in_pybullet(bundles, physics):
    for bundle, eq in _equipment(bundles):
        path = bundle / eq["model"]
        body = _load(physics, path)
        assert body >= 0
        urdf_joints = ET.parse(path).getroot().findall("joint")
        assert pybullet.getNumJoints(body, physicsClientId=physics) == len(urdf_joints)
        for i in range(len(urdf_joints)):
            assert pybullet.getDynamicsInfo(body, i, physicsClientId=physics)[0] > 0


def test_lockable_equipment_has_a_hasp(bundles):
    for bundle, eq in _equipment(bundles):
        root = ET.parse(bundle / eq["model"]).getroot()
        mounts = [j for j in root.findall("joint") if j.find("child").get("link") == "hasp"]
        assert len(mounts) == (1 if eq["lockable"] else 0), eq["id"]
        if mounts:
            assert mounts[0].get("type") == "fixed"


# ---------------------------------------------------------------- the numbers that matter


def test_conveyor_valve_handwheel_comes_from_the_source(bundles, physics):
    bundle = bundles["loto-conveyor-c12"]
    v31 = next(e for e in _scenario(bundle)["equipment"] if e["id"] == "V-31")
    turns, running = _si(v31, "turns_to_close"), _si(v31, "operating_torque")
    assert (turns, running) == (5, 25)         # as written in examples/loto_conveyor.twin
    body = _load(physics, bundle / v31["model"])
    stem = _joints(physics, body)["stem"]
    damping, friction, lower, upper, effort = stem[6], stem[7], stem[8], stem[9], stem[10]
    assert stem[2] == pybullet.JOINT_REVOLUTE
    assert lower == 0
    assert upper == pytest.approx(2 * math.pi * turns, rel=1e-8)
    assert friction == pytest.approx(running, rel=1e-8)
    assert effort == pytest.approx(_si(v31, "breakaway_torque"), rel=1e-8)
    assert damping > 0
    # handwheel: inertia about the stem of a wheel of the declared diameter
    wheel = stem[0]
    mass, _fr, local = pybullet.getDynamicsInfo(body, wheel, physicsClientId=physics)[:3]
    radius = _si(v31, "handwheel_diameter") / 2
    assert 0.5 * mass * radius**2 < local[2] < mass * radius**2


def test_a_turn_below_the_running_torque_does_not_move_the_wheel(bundles, physics):
    """The player applies URDF friction as a zero-velocity motor (PyBullet reports it but
    does not apply it itself); the modelled valve then needs more than its torque."""
    bundle = bundles["loto-conveyor-c12"]
    v31 = next(e for e in _scenario(bundle)["equipment"] if e["id"] == "V-31")
    moved = []
    for torque in (20.0, 30.0):
        body = _load(physics, bundle / v31["model"])
        friction = _joints(physics, body)["stem"][7]
        for _ in range(240):
            pybullet.setJointMotorControl2(body, 0, pybullet.VELOCITY_CONTROL, targetVelocity=0,
                                           force=friction, physicsClientId=physics)
            pybullet.setJointMotorControl2(body, 0, pybullet.TORQUE_CONTROL, force=torque,
                                           physicsClientId=physics)
            pybullet.stepSimulation(physicsClientId=physics)
        moved.append(pybullet.getJointState(body, 0, physicsClientId=physics)[0])
    assert moved[0] == pytest.approx(0, abs=1e-6)
    assert moved[1] > 1.0


def test_motor_coasts_down_in_the_declared_time(bundles, physics):
    bundle = bundles["loto-conveyor-c12"]
    m12 = next(e for e in _scenario(bundle)["equipment"] if e["id"] == "M-12")
    body = _load(physics, bundle / m12["model"])
    shaft = _joints(physics, body)["shaft"]
    assert shaft[2] == pybullet.JOINT_REVOLUTE and shaft[8] > shaft[9]   # continuous
    inertia = pybullet.getDynamicsInfo(body, 0, physicsClientId=physics)[2][0]
    assert inertia == pytest.approx(_si(m12, "rotor_inertia"), rel=1e-8)
    speed, coast = _si(m12, "rated_speed"), _si(m12, "coast_down")
    pybullet.changeDynamics(body, 0, maxJointVelocity=10 * speed, angularDamping=0,
                            linearDamping=0, physicsClientId=physics)
    pybullet.setJointMotorControl2(body, 0, pybullet.VELOCITY_CONTROL, targetVelocity=0,
                                   force=shaft[7], physicsClientId=physics)
    pybullet.resetJointState(body, 0, 0, speed, physicsClientId=physics)
    steps = 0
    while abs(pybullet.getJointState(body, 0, physicsClientId=physics)[1]) > 1e-5 * speed:
        pybullet.stepSimulation(physicsClientId=physics)
        steps += 1
        assert steps < 240 * 2 * coast
    assert steps / 240 == pytest.approx(coast, rel=0.02)


def _inside(path: Path) -> float:
    """Volume of the visual named `inside`: what the vessel or space holds."""
    root = ET.parse(path).getroot()
    (geometry,) = [v.find("geometry")[0] for v in root.iter("visual") if v.get("name") == "inside"]
    if geometry.tag == "cylinder":
        return math.pi * float(geometry.get("radius")) ** 2 * float(geometry.get("length"))
    x, y, z = (float(s) for s in geometry.get("size").split())
    return x * y * z


def test_vessels_and_spaces_hold_the_declared_volume(bundles):
    checked = 0
    for bundle, eq in _equipment(bundles):
        name = next((n for n in ("volume", "capacity") if n in eq["params"]), None)
        if name is None or eq["kind"] in ("ProcessLine",):
            continue
        declared = _si(eq, name)
        assert _inside(bundle / eq["model"]) == pytest.approx(declared, rel=0.01), eq["id"]
        checked += 1
    assert checked >= 10        # ACC-3, D-1, SC-1, TK-7 and the all-kinds vessels


def test_a_tank_keeps_its_declared_height(bundles):
    root = ET.parse(bundles["all-kinds"] / "urdf" / "TK-1.urdf").getroot()
    (inside,) = [v.find("geometry")[0] for v in root.iter("visual") if v.get("name") == "inside"]
    assert float(inside.get("length")) == pytest.approx(4.0)


def test_drum_mass_includes_its_contents(bundles, physics):
    bundle = bundles["chem-acetone-transfer"]
    drum = next(e for e in _scenario(bundle)["equipment"] if e["id"] == "D-1")
    body = _load(physics, bundle / drum["model"], fixed=False)
    mass = pybullet.getDynamicsInfo(body, -1, physicsClientId=physics)[0]
    liquid = _si(drum, "capacity") * _si(drum, "initial_fill") * 1000.0
    assert liquid + 10 < mass < liquid + 60      # a steel drum weighs 15-25 kg empty


def test_controls_cover_every_value_of_their_state(bundles):
    for bundle in bundles.values():
        scene = json.loads((bundle / "scene.json").read_text(encoding="utf-8"))
        equipment = {e["id"]: e for e in _scenario(bundle)["equipment"]}
        for item in scene["equipment"]:
            root = ET.parse(bundle / item["model"]).getroot()
            joints = {j.get("name"): j for j in root.findall("joint")}
            for control in item["controls"]:
                joint = joints[control["joint"]]
                assert joint.get("type") == control["type"]
                states = {s["name"]: s for s in equipment[item["id"]]["states"]}
                if "state" in control:
                    assert control["state"] in states, (item["id"], control)
                if "positions" in control and states.get(control.get("state"), {}).get("choices"):
                    assert set(control["positions"]) == set(states[control["state"]]["choices"])
                if control["type"] in ("revolute", "prismatic"):
                    limit = joint.find("limit")
                    assert float(limit.get("upper")) == pytest.approx(control["upper"])
                    for q in control.get("positions", {}).values():
                        assert control["lower"] - 1e-9 <= q <= control["upper"] + 1e-9


# ---------------------------------------------------------------- scene.json


def test_scene_lists_every_equipment_with_its_model(bundles):
    for bundle in bundles.values():
        scene = json.loads((bundle / "scene.json").read_text(encoding="utf-8"))
        assert scene["format"] == "twinlang.scene/1"
        assert scene["world"]["gravity"] == [0.0, 0.0, -9.81]
        assert scene["world"]["time_step"] == pytest.approx(1 / 240)
        equipment = _scenario(bundle)["equipment"]
        assert [e["id"] for e in scene["equipment"]] == [e["id"] for e in equipment]
        for item, eq in zip(scene["equipment"], equipment, strict=True):
            assert item["model"] == eq["model"] and (bundle / item["model"]).is_file()
            assert item["kind"] == eq["kind"]
            assert item["position"] == pytest.approx(eq["position"])
            assert item["orientation_rpy"] == [0.0, 0.0, 0.0]
            assert isinstance(item["fixed_base"], bool)
        assert sorted(p.name for p in (bundle / "urdf").iterdir()) == sorted(
            Path(e["model"]).name for e in equipment)


def test_portable_things_are_not_fixed(bundles):
    scene = json.loads((bundles["all-kinds"] / "scene.json").read_text(encoding="utf-8"))
    fixed = {e["id"]: e["fixed_base"] for e in scene["equipment"]}
    assert not fixed["GD-1"] and not fixed["VT-1"] and fixed["V-1"] and fixed["TK-1"]


# ---------------------------------------------------------------- families and escaping


def test_kinds_of_its_own_get_a_family(bundles):
    bundle = bundles["all-kinds"]
    gate = ET.parse(bundle / "urdf" / "SG-1.urdf").getroot()     # isolates fluid, has turns
    stem = next(j for j in gate.findall("joint") if j.get("name") == "stem")
    assert float(stem.find("limit").get("upper")) == pytest.approx(2 * math.pi * 12)
    assert float(stem.find("dynamics").get("friction")) == pytest.approx(80)
    widget = yourdfpy.URDF.load(str(bundle / "urdf" / "W-1.urdf"), build_scene_graph=False,
                                load_meshes=False)
    (link,) = widget.robot.links
    assert link.inertial.mass == pytest.approx(10.0)
    assert list(link.visuals[0].geometry.box.size) == pytest.approx([0.3, 0.3, 0.3])


def test_hostile_titles_stay_text(bundles):
    bundle = bundles["all-kinds"]
    for name in ("V-1", "W-1"):
        path = bundle / "urdf" / f"{name}.urdf"
        text = path.read_text(encoding="utf-8")
        root = ET.fromstring(text.encode("utf-8"))          # still one well-formed robot
        assert root.tag == "robot" and root.get("name") == name
        assert text.count("<robot") == 1 and text.count("</robot>") == 1
        assert "<script>" not in text and "<!-- x" not in text and "]]>" not in text
        assert "&lt;/robot&gt;&lt;script&gt;" in text
        assert "{{ 7*7 }}" in text and "{% if x %}" in text      # not evaluated
        comments = text.split("<robot")[0]
        for chunk in comments.split("<!--")[1:]:
            assert "--" not in chunk.split("-->")[0]
        yourdfpy.URDF.load(str(path), build_scene_graph=False, load_meshes=False)
    scene = (bundle / "scene.json").read_text(encoding="utf-8")
    assert "<script>" not in scene          # titles are not copied into the scene


def test_compiling_twice_gives_identical_files(bundles, tmp_path):
    again = _compile([*EXAMPLES], tmp_path)
    for name, bundle in again.items():
        first = bundles[name]
        files = sorted(p.relative_to(bundle) for p in (bundle / "urdf").iterdir())
        assert files
        for rel in [*files, Path("scene.json")]:
            assert (bundle / rel).read_bytes() == (first / rel).read_bytes(), rel
