"""URDF builders for the equipment families a trainee operates (see :mod:`.urdf`).

Valves (handwheel or lever), disconnects and breakers (handle, draw-out carriage), push
buttons and selector switches, motors, pumps and conveyors (a rotor that coasts down), and
vessels and containers (a shell holding exactly the declared volume, its contents, a lid
or a drain).  Each builder takes an equipment and its bundle and returns a
:class:`~.urdf_geometry.Robot`.  Sizes and masses come from the parameters, else from the
constants below ([D]: derived here from physics or practice).
"""

from __future__ import annotations

import math

from . import model as m
from .urdf_geometry import (
    CAST_IRON,
    HDPE,
    OIL,
    RIGHT,
    STEEL,
    WATER,
    Joint,
    Link,
    Part,
    Robot,
    box_link,
    control_entry,
    flag,
    lever_link,
    num,
    rounded,
    spread_positions,
    state_choices,
    state_var,
    steel_box_mass,
    word,
)

P_ATM, R_AIR = 101325.0, 287.05         # Pa; J/(kg*K)
RIM_PULL = 360.0        # N: API 6D limit on handwheel rim force (domain-facts 5.1)
HAND_TURN = 2 * math.pi  # rad/s: about one handwheel turn per second by hand [D]
VALVE_MASS_1IN = 7.1    # kg at 1 in, x (size/1 in)^1.5: fit to class 150 flanged valve weights [D]
TRV = 15e3              # N*m/m^3: torque per rotor volume, enclosed induction motors 7-30 k [D]
ROTOR_LD = 1.5          # rotor length / diameter [D]
MOTOR_DENSITY = 2500.0  # kg/m^3: motor mass / housing envelope volume (IEC 132M, ~60 kg) [D]
PUMP_SPEED = 1750 * math.pi / 30        # rad/s: 4-pole at 60 Hz when a pump gives none [D]
COAST_DOWN = 10.0       # s: when no coast_down is given (set it from equipment data) [D]
STOP_FRACTION = 0.01    # the viscous model counts a rotor stopped below 1 % of its speed
ALLOWABLE_STRESS = 138e6  # Pa: SA-516-70 allowable stress for the shell formula [D]
CORROSION = 0.0015      # m: corrosion allowance on pressure shells [D]
CONVEYOR_POWER = 5500.0  # W: drive power when no motor feeds the conveyor [D]


# ---------------------------------------------------------------- valves


def valve(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    quarter = "turns_to_close" not in eq.params
    d = num(eq, "size", 0.0508)
    bonnet_k, mass_k = {"GateValve": (2.0, 1.0), "GlobeValve": (1.5, 1.15)}.get(
        eq.kind, (0.5, 0.8) if quarter else (2.0, 1.0))
    r_b, run = 0.75 * d + 0.015, 0.1 + 1.2 * d
    r_n, h_n = 0.45 * d + 0.012, bonnet_k * d + 0.06
    m_body = VALVE_MASS_1IN * (d / 0.0254) ** 1.5 * mass_k
    top = 2 * r_b + h_n
    stem_r = 0.08 * d + 0.006
    body = Link("body", [
        Part("cylinder", (r_b, run), 0.7 * m_body, (0.0, 0.0, r_b), (0.0, RIGHT, 0.0), "iron"),
        Part("cylinder", (r_n, r_b + h_n), 0.3 * m_body, (0.0, 0.0, r_b + (r_b + h_n) / 2),
             material="iron"),
        Part("cylinder", (stem_r, 0.04), STEEL * math.pi * stem_r ** 2 * 0.04,
             (0.0, 0.0, top + 0.02))])
    breakaway = num(eq, "breakaway_torque")
    running = num(eq, "operating_torque")
    effort = breakaway if breakaway is not None else (running or 40.0)
    friction = running if running is not None else 0.7 * effort  # Sharpe 0.70 x breakaway
    if quarter:
        turns, upper, speed = 0.25, RIGHT, math.pi
        lever = num(eq, "lever_length", 0.3)
        handle, size_from = lever_link("lever", lever), "lever_length"
        wheel_d = lever
    else:
        turns = num(eq, "turns_to_close", 8.0)
        upper, speed = 2 * math.pi * turns, HAND_TURN
        wheel_d = num(eq, "handwheel_diameter")
        size_from = "handwheel_diameter"
        if wheel_d is None:     # the smallest wheel one person turns with RIM_PULL
            wheel_d, size_from = min(1.065, max(0.1, 2 * effort / RIM_PULL)), "rim pull"
        a = 0.005 + 0.02 * wheel_d
        big = wheel_d / 2 - a
        hub_r = max(0.015, 0.12 * big)
        spoke = (2 * big, 1.2 * a, a)
        handle = Link("handwheel", [
            Part("ring", (big, a), CAST_IRON * 2 * math.pi ** 2 * big * a * a, material="red"),
            Part("box", spoke, CAST_IRON * math.prod(spoke), material="red"),
            Part("box", spoke, CAST_IRON * math.prod(spoke), rpy=(0.0, 0.0, RIGHT),
                 material="red"),
            Part("cylinder", (hub_r, 3 * a), CAST_IRON * math.pi * hub_r ** 2 * 3 * a,
                 material="iron")])
    damping = 0.1 * friction / speed
    stem = Joint("stem", "revolute", "body", handle.name, (0.0, 0.0, top + 0.04),
                 (0.0, 0.0, -1.0), 0.0, upper, effort, speed, damping, friction)
    control = control_entry(stem)
    if state_var(eq, "position") is not None:
        control.update(state="position", at_lower=1.0, at_upper=0.0)
    info = dict(quarter=quarter, turns=turns, upper=upper, effort=effort,
                effort_from="breakaway_torque" if breakaway is not None else
                "operating_torque", friction=friction,
                friction_from="operating_torque" if running is not None else
                "0.7 x breakaway_torque", damping=damping, speed=speed, wheel=wheel_d,
                wheel_from=size_from, body_mass=m_body, size=d)
    return Robot("valve", [body, handle], [stem], info, [control],
                 hasp=(0.0, r_n + 0.005, top - 0.03))


# ---------------------------------------------------------------- disconnects and breakers


def switch(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    s = min(4.0, max(0.7, (num(eq, "rated_current", 100.0) / 100.0) ** (1 / 3)))
    size = (0.2 * s, 0.35 * s, 0.5 * s)          # depth (x, front at +x), width, height
    links, joints, controls = [box_link("enclosure", size, steel_box_mass(size))], [], []
    # the handle pivots on the side of the enclosure (on the front of a draw-out carriage)
    pivot = (size[0] / 2 - 0.04, size[1] / 2 + 0.01, size[2] * 0.6)
    parent = "enclosure"
    if flag(eq, "drawout", False):               # the carriage racks out along +x
        rack, inner = 0.3, (0.8 * size[0], 0.8 * size[1], 0.6 * size[2])
        links.append(Link("carriage", [Part("box", inner, 0.4 * links[0].mass,
                                            material="black")]))
        joints.append(Joint("rack", "prismatic", "enclosure", "carriage",     # front flush
                            ((size[0] - inner[0]) / 2 + 0.01, 0.0, size[2] / 2),
                            (1.0, 0.0, 0.0), 0.0, rack, 2000.0, 0.05, 200.0, 50.0))
        names = state_choices(eq, "racked", ["connected", "test", "disconnected"])
        controls.append(control_entry(joints[-1], state="racked",
                                      positions=spread_positions(names, rack)))
        parent, pivot = "carriage", (inner[0] / 2 + 0.01, 0.0, 0.0)
    torque = num(eq, "handle_torque", 5.0)       # breakers: 5 N*m toggle [D]
    travel, length = RIGHT, 0.15 * s             # 90 degrees of handle travel [D]
    w, t = 0.02 * s, 0.008 * s
    half = length / 2 * math.sqrt(0.5)
    # the lever points 45 degrees up and forward when on, 45 degrees down when off
    links.append(Link("handle", [
        Part("box", (length, w, t), STEEL * length * w * t, (half, 0.0, half),
             (0.0, -math.pi / 4, 0.0), "red"),
        Part("cylinder", (w, 2 * t), STEEL * math.pi * w * w * 2 * t, rpy=(RIGHT, 0.0, 0.0),
             material="iron")]))
    joints.append(Joint("handle", "revolute", parent, "handle", pivot, (0.0, 1.0, 0.0), 0.0,
                        travel, torque, math.pi, 0.05 * torque, torque))
    state = "handle" if state_var(eq, "handle") is not None else "position"
    names = state_choices(eq, state, ["on", "off"] if state == "handle" else ["closed", "open"])
    if set(names) == {"closed", "open", "tripped"}:
        names = ["closed", "tripped", "open"]     # a tripped handle rests midway
    controls.insert(0, control_entry(joints[-1], state=state,
                                     positions=spread_positions(names, travel)))
    info = dict(torque=torque, travel=travel, torque_from="handle_torque"
                if "handle_torque" in eq.params else "a 5 N*m toggle", scale=s,
                mass=links[0].mass, drawout=parent == "carriage")
    return Robot("switch", links, joints, info, controls,
                 hasp=(size[0] / 2 - 0.02, size[1] / 2 + 0.03, size[2] * 0.35))


# ---------------------------------------------------------------- push buttons and selectors


def control(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    size = (0.1, 0.1, 0.12)
    station = box_link("station", size, 0.6)
    selector = "press" not in eq.actions
    function = word(eq, "function", "start")
    if selector:
        knob = Link("knob", [Part("box", (0.02, 0.012, 0.045), 0.01, (0.01, 0.0, 0.0),
                                  material="black"),
                             Part("cylinder", (0.014, 0.01), 0.01, (0.005, 0.0, 0.0),
                                  (0.0, RIGHT, 0.0), "black")])
        names = state_choices(eq, "position", ["off", "hand", "auto"])
        positions = spread_positions(names, math.pi / 4 * (len(names) - 1), centred=True)
        low, high = min(positions.values()), max(positions.values())
        joint = Joint("selector", "revolute", "station", "knob", (0.05, 0.0, 0.06),
                      (1.0, 0.0, 0.0), low, high, 1.0, math.pi, 0.005, 0.1)
        ctrl = control_entry(joint, state="position", positions=positions)
    else:
        travel = 0.005                              # 5 mm button stroke [D]
        mushroom = function == "emergency_stop"
        r = 0.02 if mushroom else 0.011
        color = {"start": "green", "jog": "black"}.get(function, "red")
        knob = Link("button", [Part("cylinder", (r, 0.015), 0.01, (0.0075, 0.0, 0.0),
                                    (0.0, RIGHT, 0.0), color)])
        joint = Joint("button", "prismatic", "station", "button", (0.05, 0.0, 0.06),
                      (-1.0, 0.0, 0.0), 0.0, travel, 10.0, 0.2, 1.0, 1.0)
        ctrl = control_entry(joint, state="pressed", positions={"false": 0.0, "true": travel})
    info = dict(selector=selector, function=function)
    return Robot("control", [station, knob], [joint], info, [ctrl])


# ---------------------------------------------------------------- motors, pumps, conveyors


def _rotor(power: float, speed: float) -> tuple[float, float, float]:
    """Rotor diameter, length and inertia of a solid steel rotor sized by TRV."""
    volume = power / speed / TRV
    dia = (4 * volume / (math.pi * ROTOR_LD)) ** (1 / 3)
    return dia, ROTOR_LD * dia, STEEL * volume * dia * dia / 8


def _coast(inertia: float, t_cd: float, speed: float) -> tuple[float, float, float]:
    """Viscous damping b and Coulomb friction f that stop the rotor in exactly t_cd:
    J w' = -b w - f gives w(t) = (w0 + f/b) exp(-t/tau) - f/b with tau = J/b, which
    reaches 0 at t = tau ln(1 + b w0/f); tau = t_cd / ln(1/STOP_FRACTION) and
    f = b w0 STOP_FRACTION / (1 - STOP_FRACTION) make that t_cd."""
    tau = t_cd / math.log(1 / STOP_FRACTION)
    b = inertia / tau
    return tau, b, b * speed * STOP_FRACTION / (1 - STOP_FRACTION)


def rotating(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    if eq.kind == "Conveyor" or ("belt_speed" in eq.params and "rated_power" not in eq.params):
        return conveyor(eq, bundle)
    power = num(eq, "rated_power", 5500.0)
    speed = num(eq, "rated_speed", PUMP_SPEED)
    dia, length, j_est = _rotor(power, speed)
    inertia = num(eq, "rotor_inertia")
    j_from = "rotor_inertia"
    if inertia is None:
        inertia, j_from = j_est, "estimated from rated_power and speed"
    t_cd = num(eq, "coast_down")
    t_from = "coast_down" if t_cd is not None else "default"
    t_cd = t_cd if t_cd else COAST_DOWN
    tau, b, f = _coast(inertia, t_cd, speed)
    r_h, l_h = 0.9 * dia + 0.02, 1.6 * length + 0.1
    shaft_z = 1.1 * r_h + 0.03
    m_rotor = 2 * inertia / (dia / 2) ** 2      # a solid cylinder of that J
    envelope = MOTOR_DENSITY * math.pi * r_h * r_h * l_h
    m_env = max(0.5 * envelope, envelope - m_rotor)     # the motor without its rotor
    feet = (0.8 * l_h, 1.6 * r_h, shaft_z - 0.5 * r_h)
    parts = [Part("cylinder", (r_h, l_h), 0.9 * m_env, (0.0, 0.0, shaft_z), (0.0, RIGHT, 0.0),
                  "blue"),
             Part("box", feet, 0.1 * m_env, (0.0, 0.0, feet[2] / 2), material="blue")]
    pump = "rated_flow" in eq.params
    if pump:      # volute casing ahead of the motor, on the -x end
        vol = (1.2 * r_h, 0.6 * r_h)
        parts.append(Part("cylinder", vol, 0.5 * m_env, (-l_h / 2 - vol[1] / 2, 0.0, shaft_z),
                          (0.0, RIGHT, 0.0), "iron"))
    r_r, r_s, l_s = dia / 2, 0.18 * dia, 0.25 * length + 0.04
    rotor = Link("rotor", [
        Part("cylinder", (r_r, length), m_rotor, rpy=(0.0, RIGHT, 0.0),
             material="iron"),
        Part("cylinder", (r_s, l_s), 0.0, (l_h / 2 + l_s / 2, 0.0, 0.0), (0.0, RIGHT, 0.0)),
        Part("box", (0.01, r_s, 2.2 * r_s), 0.0, (l_h / 2 + l_s, 0.0, 0.0), material="yellow")])
    joint = Joint("shaft", "continuous", "housing", "rotor", (0.0, 0.0, shaft_z),
                  (1.0, 0.0, 0.0), effort=power / speed, velocity=speed, damping=b,
                  friction=f)
    info = dict(inertia=inertia, j_from=j_from, t_cd=t_cd, t_from=t_from, tau=tau, b=b, f=f,
                speed=speed, torque=power / speed, power=power, pump=pump,
                rotor_mass=rotor.mass, dia=dia)
    return Robot("rotating", [Link("housing", parts), rotor], [joint], info,
                 [control_entry(joint, state="speed", scale=1.0)])


def conveyor(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    length = num(eq, "length", 12.0)
    theta = num(eq, "incline", 0.0)
    v = num(eq, "belt_speed", 1.5)
    width, bed_z, r_p = 1.0, 0.9, 0.2     # frame width, bed height, head pulley radius [D]
    dx, dz = length / 2 * math.cos(theta), length / 2 * math.sin(theta)
    # the tail end at bed_z, the head end (+x, the drive) 2 dz higher
    parts = [Part("box", (length, width, 0.15), 50.0 * length, (0.0, 0.0, bed_z + dz),
                  (0.0, -theta, 0.0), "grey")]    # 50 kg/m of frame and idlers [D]
    for sign in (-1, 1):
        h = bed_z + dz + sign * dz
        parts.append(Part("box", (0.1, width, h), 20.0, (sign * dx, 0.0, h / 2), material="grey"))
    belt = 12.0 * 0.8 * 2 * length            # 12 kg/m^2 fabric belt, 0.8 m wide, both strands [D]
    face = width - 0.1
    pulley = Link("pulley", [
        Part("cylinder", (r_p, face, r_p - 0.01), STEEL * 2 * math.pi * r_p * face * 0.01,
             rpy=(RIGHT, 0.0, 0.0), material="iron"),
        Part("ring", (r_p, 0.005), belt, rpy=(RIGHT, 0.0, 0.0), solid=False)])
    feeder = next((e for e in bundle.equipment if eq.id in e.relations.feeds
                   and num(e, "rated_power") is not None), None)
    power = num(feeder, "rated_power") if feeder else CONVEYOR_POWER
    t_cd = (num(feeder, "coast_down") if feeder else None) or COAST_DOWN
    speed = v / r_p
    inertia = pulley.inertial()[1][1][1]       # about the pulley axis (y)
    tau, b, f = _coast(inertia, t_cd, speed)
    joint = Joint("pulley", "continuous", "frame", "pulley", (dx, 0.0, bed_z + 2 * dz),
                  (0.0, 1.0, 0.0), effort=power / speed, velocity=speed, damping=b, friction=f)
    info = dict(inertia=inertia, belt=belt, r=r_p, t_cd=t_cd, tau=tau, b=b, f=f, speed=speed,
                feeder=feeder.id if feeder else None, power=power)
    return Robot("conveyor", [Link("frame", parts), pulley], [joint], info,
                 [control_entry(joint, state="speed", scale=r_p)])


# ---------------------------------------------------------------- vessels and containers

#: container type -> (height / diameter, wall thickness m, wall density) [D]
CONTAINERS = {"drum": (1.5, 0.0012, STEEL), "safety_can": (1.4, 0.0006, STEEL),
              "tote": (1.0, 0.004, HDPE), "bottle": (2.5, 0.002, HDPE),
              "can": (1.5, 0.0005, STEEL)}


def vessel(eq: m.Equipment, bundle: m.Bundle) -> Robot:
    """An upright cylinder holding exactly the declared volume (pi r^2 h = V)."""
    volume = num(eq, "volume") or num(eq, "capacity") or 0.2
    ctype = word(eq, "container_type", "drum")
    aspect, wall, rho = {"Accumulator": (3.0, None, STEEL), "PressureVessel": (2.5, None, STEEL),
                         "Tank": (1.0, None, STEEL)}.get(eq.kind, CONTAINERS.get(
                             ctype, CONTAINERS["drum"]))
    if not flag(eq, "conductive", True):        # a plastic container
        rho, wall = HDPE, max(wall or 0.0, 0.003)
    given = eq.params.get("height")
    if given is not None and not given.from_default and num(eq, "height"):
        height = num(eq, "height")              # a tank's height as written
        dia = math.sqrt(4 * volume / (math.pi * height))
    else:
        dia = (4 * volume / (math.pi * aspect)) ** (1 / 3)
        height = aspect * dia
    r = dia / 2
    pressure = next((num(eq, k) for k in ("working_pressure", "design_pressure",
                                         "supply_pressure") if num(eq, k)), None)
    if wall is not None:
        wall_from = f"{ctype} wall"
    elif pressure:                  # ASME VIII UG-27 hoop stress, joint efficiency 1
        wall = max(0.003, pressure * r / (ALLOWABLE_STRESS - 0.6 * pressure) + CORROSION)
        wall_from = "t = P r / (S - 0.6 P) + c, S = 138 MPa, c = 1.5 mm (ASME VIII UG-27)"
    else:                           # API 650 minimum shell thickness by tank diameter
        wall = 0.005 if dia < 15 else 0.006 if dia < 36 else 0.008 if dia < 60 else 0.010
        wall_from = "API 650 minimum shell thickness for the diameter"
    outer, h_total = r + wall, height + 2 * wall
    # cylindrical shell and two flat heads
    shell = rho * wall * (2 * math.pi * outer * h_total + 2 * math.pi * outer ** 2)
    contents, what, fill = _contents(eq, volume)
    color = "white" if rho == HDPE else "yellow" if eq.kind == "Accumulator" else "steel"
    parts = [Part("cylinder", (outer, h_total, r), shell, (0.0, 0.0, h_total / 2),
                  material=color)]
    parts.append(Part("cylinder", (r, height), 0.0, (0.0, 0.0, h_total / 2),
                      material="inside", collide=False, name="inside"))
    if contents > 0:
        parts.append(Part("cylinder", (r, height * fill), contents,
                          (0.0, 0.0, wall + height * fill / 2), solid=False))
    links, joints, controls = [Link("shell", parts)], [], []
    name = next((n for verb, n in (("open", "closure"), ("bleed", "bleed"), ("drain", "drain"))
                 if verb in eq.actions), None)
    if name == "closure":           # a lid hinged at its edge, opening upwards
        lid = min(0.06, 0.4 * r)
        links.append(Link(name, [Part("cylinder", (lid, 0.01), STEEL * math.pi * lid ** 2 * 0.002,
                                      (0.0, -lid, 0.005), material="black")]))
        joints.append(Joint(name, "revolute", "shell", name, (0.0, 0.5 * r + lid, h_total),
                            (-1.0, 0.0, 0.0), 0.0, RIGHT, 5.0, math.pi, 0.01, 0.2))
    elif name is not None:          # a quarter-turn valve low on the side
        links.append(lever_link(name, min(0.15, max(0.05, 0.5 * r))))
        joints.append(Joint(name, "revolute", "shell", name,
                            (0.0, outer + 0.02, 0.1 * h_total + 0.02), (0.0, 1.0, 0.0), 0.0,
                            RIGHT, 10.0, math.pi, 0.02, 1.0))
    if name is not None:
        controls.append(control_entry(joints[0], positions={"closed": 0.0, "open": rounded(RIGHT)}))
        if name == "closure" and state_var(eq, "vent") is not None:
            controls[0]["state"] = "vent"
    info = dict(volume=volume, modelled=math.pi * r * r * height, dia=dia, height=height,
                wall=wall, wall_from=wall_from, shell=shell, contents=contents, what=what,
                aspect=height / dia, valve=name)
    portable = eq.kind == "ChemicalContainer" and ctype in ("safety_can", "bottle", "can")
    return Robot("vessel", links, joints, info, controls, fixed_base=not portable)


def _contents(eq: m.Equipment, volume: float) -> tuple[float, str, float]:
    """Mass of what the vessel holds at the start, how it was found, the share it fills."""
    if eq.kind == "Accumulator":     # oil pushed in at working pressure, isothermal gas
        p0, p = num(eq, "precharge", 9e6) + P_ATM, num(eq, "working_pressure", 14e6) + P_ATM
        share = max(0.0, 1 - p0 / p)
        return OIL * volume * share, "hydraulic oil at working_pressure (V (1 - P0/P))", share
    if eq.kind == "PressureVessel":  # air at design pressure, ideal gas
        p = num(eq, "design_pressure", 1e6) + P_ATM
        rho = p / (R_AIR * num(eq, "gas_temperature", 293.15))
        return rho * volume, "air at design_pressure (ideal gas)", 1.0
    share = num(eq, "initial_fill")
    level = state_var(eq, "level")
    if share is None and level is not None and isinstance(level.initial, m.Quantity):
        share = level.initial.si
    if share:
        return WATER * volume * share, "liquid of 1000 kg/m^3 (density not in the bundle)", share
    return 0.0, "empty", 0.0
