"""A deterministic corpus of valid twinlang for the check benchmark.

`generate(lines, seed)` returns the text of one scenario file of at least ``lines`` lines
that `twinlang check` accepts without a diagnostic.  It declares its own equipment kinds
(no `use`), so it depends only on the implicit prelude.  The content is what a large
site file looks like: roles, substances, many equipment declarations with parameters in
mixed units, one long lockout procedure per plant area (steps with expectations,
parallel branches, if/else, choose, alarm handlers with `goto`, permits, calls), faults
on the equipment and a competency per procedure.

The same ``lines`` and ``seed`` always give the same text.
"""

# ruff: noqa: E501  (templates of twinlang source; long lines are part of the corpus)

from __future__ import annotations

import random
from pathlib import Path

#: Trains (one isolation sequence: disconnect, motor, pump, valve, accumulator, ...) per area.
TRAINS_PER_AREA = 24

KINDS = '''
# ---------------------------------------------------------------- kinds

kind GateValve "Gate valve (manual, rising stem)" {
  description "Multi-turn isolation valve"
  param size: length = 2 in range 0.25 in .. 48 in doc "nominal pipe size"
  param turns_to_close: count = 8 range 1 .. 200
  param operating_torque: torque = 40 N*m range 1 N*m .. 2000 N*m
  param breakaway_torque: torque = 60 N*m range 1 N*m .. 3000 N*m
  state position: fraction = 100 %
  state flow: flow = 0 L/min
  isolates hydraulic, pneumatic, chemical, thermal
  transmits hydraulic, pneumatic, chemical, thermal
  action open, close, inspect
  lockable
}

kind Disconnect "Disconnect switch" {
  param rated_voltage: voltage = 480 V range 50 V .. 15 kV
  param rated_current: current = 100 A range 1 A .. 6000 A
  param handle_torque: torque = 15 N*m range 1 N*m .. 200 N*m
  param poles: count = 3 range 1 .. 4
  state handle: choice(on, off) = on
  state blades: choice(closed, open) = closed
  isolates electrical
  transmits electrical
  action open, close, inspect
  lockable
}

kind CircuitBreaker "Circuit breaker (manually operated)" {
  param rated_voltage: voltage = 480 V range 50 V .. 15 kV
  param rated_current: current = 100 A range 1 A .. 6000 A
  param clearing_time: time = 0.025 s range 0.025 s .. 0.13 s
  param drawout: boolean = false doc "draw-out breaker"
  state position: choice(closed, open, tripped) = closed
  state racked: choice(connected, test, disconnected) = connected
  isolates electrical
  transmits electrical
  action open, close, rack_out, inspect
  lockable
}

kind PushButton "Push button" {
  param function: choice(start, stop, emergency_stop, jog) = start
  state pressed: boolean = false
  action press, inspect
  control_device
}

kind Motor "Electric motor" {
  param rated_power: power = 7.5 kW range 0.1 kW .. 10000 kW
  param rated_speed: angular_speed = 1750 rpm range 1 rpm .. 10000 rpm
  param rated_voltage: voltage = 480 V range 50 V .. 15 kV
  param coast_down: time range 0 s .. 30 min doc "time to stop after power is removed"
  param rotor_inertia: inertia = 0.05 kg*m^2 range 0.0001 kg*m^2 .. 10000 kg*m^2
  param load_torque_law: choice(constant, linear, quadratic) = quadratic
  state status: choice(running, stopped) = running
  state speed: angular_speed
  state current: current = 0 A
  stores mechanical
  action start, stop, try_start, inspect
}

kind Pump "Centrifugal pump" {
  param rated_flow: flow = 20 m^3/h range 0.01 m^3/h .. 5000 m^3/h
  param shutoff_pressure: pressure = 8 bar range 0.1 bar .. 400 bar
  param rated_speed: angular_speed = 2900 rpm range 1 rpm .. 10000 rpm
  state status: choice(running, stopped) = running
  state discharge: pressure = 0 bar
  transmits hydraulic, chemical
  action start, stop, try_start, drain, inspect
}

kind Accumulator "Hydraulic accumulator (gas-charged)" {
  param precharge: pressure = 90 bar range 1 bar .. 1000 bar
  param working_pressure: pressure = 140 bar range 1 bar .. 1000 bar
  param volume: volume = 10 L range 0.1 L .. 500 L
  param bleed_orifice: length = 3.2 mm range 0.5 mm .. 25 mm
  param discharge_coefficient: number = 0.62 range 0.6 .. 0.75
  state pressure: pressure doc "fluid-side gauge pressure"
  stores hydraulic
  transmits hydraulic
  action bleed, inspect
}

kind Tank "Storage tank" {
  param capacity: volume = 10 m^3 range 0.01 m^3 .. 50000 m^3
  param design_pressure: pressure = 0.5 bar range 0 bar .. 50 bar
  param design_temperature: temperature = 60 degC range -50 degC .. 400 degC
  state level: fraction = 50 %
  state temperature: temperature = 20 degC
  action drain, purge, inspect
  lockable
}

kind GasDetector "Portable multi-gas detector" {
  param t90_oxygen: time = 10 s range 1 s .. 120 s
  param tubing_length: length = 0 m range 0 m .. 22.9 m
  param pump_flow: flow = 0.3 L/min range 0.1 L/min .. 2 L/min
  param oxygen_low_alarm: concentration = 19.5 % vol range 16 % vol .. 20.8 % vol
  param lel_low_alarm: flammability = 10 % LEL range 1 % LEL .. 60 % LEL
  param h2s_low_alarm: concentration = 10 ppm range 1 ppm .. 100 ppm
  state oxygen: concentration = 20.9 % vol
  state lel: flammability = 0 % LEL
  state h2s: concentration = 0 ppm
  state alarm: choice(none, low, high) = none
  state bump_tested: boolean = false
  action bump_test, measure, inspect
}
'''

ROLES = '''
# ---------------------------------------------------------------- roles

role electrician "Authorized employee (electrician)" {
  qualified
}

role mechanic "Authorized employee (mechanic)" {
  qualified
}

role operator "Affected employee (area operator)"

role supervisor "Shift supervisor" {
  qualified
  description "Signs permits and verifies try-outs"
}

role attendant "Standby attendant"
'''

SUBSTANCES = '''
# ---------------------------------------------------------------- substances

substance acetone "Acetone" {
  groups ketones, combustible_flammable
  flash_point = -20 degC
  boiling_point = 56 degC
  lfl = 2.5 %
  ufl = 12.8 %
  pel = 1000 ppm
  idlh = 2500 ppm
  vapor_density = 2.0
}

substance caustic_soda "Sodium hydroxide solution, 50 %" {
  groups caustics
  boiling_point = 145 degC
}

substance sulfuric_acid "Sulfuric acid, 93 %" {
  groups acids_mineral_oxidizing
  boiling_point = 290 degC
}

substance hydraulic_oil "Mineral hydraulic oil ISO VG 46" {
  groups hydrocarbons_aliphatic_saturated, combustible_flammable
  flash_point = 220 degC
}
'''

PROFILE = '''
# ---------------------------------------------------------------- profile

profile site_high_risk "Site profile for high-risk isolation work" {
  risk high
  pass_score 80 %
  valid_for 1 year
  critical_errors == 0 critical
  sequence_accuracy >= 90 % weight 2
}

# ---------------------------------------------------------------- shared procedure

procedure verify_zero_energy "Verify zero energy state" {
  performed_by electrician
  roles electrician, supervisor
  step announce "Announce the verification": communicate supervisor "Starting the zero-energy check"
  step test_tool "Prove the tester on a known source" {
    work "Prove the tester on the proving unit" for 1 min
    note "Live-dead-live"
  }
  step sign_off "Record the result": record "Zero energy verified"
}
'''

SUBSTANCE_NAMES = ("acetone", "caustic_soda", "sulfuric_acid", "hydraulic_oil")


class _Writer:
    """Collects lines; the generator works in three streams per area."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str) -> None:
        self.lines.extend(text.split("\n"))

    def __len__(self) -> int:
        return len(self.lines)


def _q(rng: random.Random, choices: list[tuple[float, float, str]], digits: int = 3) -> str:
    """A quantity: pick one (low, high, unit) row and a value inside it."""
    lo, hi, unit = rng.choice(choices)
    value = round(rng.uniform(lo, hi), digits)
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}"


VOLTAGE = [(208, 600, "V"), (2.4, 13.8, "kV")]
CURRENT = [(15, 800, "A")]
TORQUE = [(5, 150, "N*m"), (4, 100, "lbf*ft")]
POWER = [(0.5, 400, "kW"), (1, 500, "hp")]
SPEED = [(600, 3600, "rpm")]
COAST = [(5, 120, "s"), (0.5, 10, "min")]
INERTIA = [(0.001, 50, "kg*m^2")]
FLOW = [(1, 400, "m^3/h"), (20, 3000, "L/min"), (5, 800, "gpm")]
PRESSURE = [(2, 300, "bar"), (30, 4000, "psi"), (200, 30000, "kPa"), (0.2, 30, "MPa")]
LOW_PRESSURE = [(1, 20, "bar"), (15, 250, "psi")]
VOLUME_SMALL = [(1, 200, "L"), (0.5, 50, "gal")]
VOLUME_TANK = [(1, 2000, "m^3"), (500, 90000, "L")]
ORIFICE = [(1, 20, "mm"), (0.05, 0.75, "in")]
PIPE = [(0.5, 24, "in"), (15, 600, "mm")]
TEMP = [(40, 250, "degC"), (110, 480, "degF"), (320, 520, "K")]
POSITION = [(0, 200, "m")]


def _equipment(w: _Writer, rng: random.Random, tag: str) -> dict[str, str]:
    """Declare the equipment of one train; return the tags by role."""
    t = {k: f"{k}-{tag}" for k in ("DS", "CB", "M", "P", "V", "ACC", "PB", "TK")}
    pos = lambda: ", ".join(_q(rng, POSITION, 1) for _ in range(3))  # noqa: E731
    w.add(f'''
# train {tag}
equipment {t["DS"]} "Disconnect for motor {t["M"]}" is Disconnect {{
  rated_voltage = {_q(rng, VOLTAGE)}
  rated_current = {_q(rng, CURRENT, 0)}
  handle_torque = {_q(rng, TORQUE, 1)}
  feeds {t["M"]}
  at {pos()}
}}

equipment {t["CB"]} "Feeder breaker for {t["DS"]}" is CircuitBreaker {{
  rated_voltage = {_q(rng, VOLTAGE)}
  rated_current = {_q(rng, CURRENT, 0)}
  clearing_time = {rng.choice(["0.025 s", "0.05 s", "0.083 s", "0.13 s"])}
  drawout = {rng.choice(["true", "false"])}
  feeds {t["DS"]}
}}

equipment {t["M"]} "Drive motor of pump {t["P"]}" is Motor {{
  rated_power = {_q(rng, POWER, 1)}
  rated_speed = {_q(rng, SPEED, 0)}
  coast_down = {_q(rng, COAST, 1)}
  rotor_inertia = {_q(rng, INERTIA, 4)}
  load_torque_law = {rng.choice(["constant", "linear", "quadratic"])}
  feeds {t["P"]}
  at {pos()}
}}

equipment {t["P"]} "Transfer pump {t["P"]}" is Pump {{
  rated_flow = {_q(rng, FLOW, 1)}
  shutoff_pressure = {_q(rng, LOW_PRESSURE, 1)}
}}

equipment {t["V"]} "Isolation valve upstream of {t["ACC"]}" is GateValve {{ size = {_q(rng, PIPE, 1)}; turns_to_close = {rng.randint(3, 60)}; operating_torque = {_q(rng, TORQUE, 1)}; isolates {t["ACC"]} }}

equipment {t["ACC"]} "Accumulator on the {t["P"]} discharge" is Accumulator {{
  precharge = {_q(rng, PRESSURE, 1)}
  working_pressure = {_q(rng, PRESSURE, 1)}
  volume = {_q(rng, VOLUME_SMALL, 1)}
  bleed_orifice = {_q(rng, ORIFICE, 2)}
  discharge_coefficient = {rng.choice(["0.6", "0.62", "0.65", "0.7"])}
}}

equipment {t["PB"]} "Local stop button for {t["M"]}" is PushButton {{
  function = stop
}}

equipment {t["TK"]} "Day tank {t["TK"]}" is Tank {{
  capacity = {_q(rng, VOLUME_TANK, 1)}
  design_pressure = {_q(rng, LOW_PRESSURE, 2)}
  design_temperature = {_q(rng, TEMP, 1)}
  contains {rng.choice(SUBSTANCE_NAMES)}
}}''')
    return t


def _train_isolation(w: _Writer, rng: random.Random, tag: str, t: dict[str, str]) -> None:
    """Shut down, isolate, lock, release and verify one train (29 CFR 1910.147(d))."""
    s = f"t{tag}"
    w.add(f'''
  # ---- train {tag}: {t["M"]} drives {t["P"]}; {t["ACC"]} holds pressure behind {t["V"]}
  step {s}_stop "Stop {t["M"]} normally" {{
    press {t["PB"]}
    expect {t["M"]}.speed <= 0.1 rpm within {rng.randint(30, 180)} s
    performed_by operator
    warning "The stop button is not an energy isolating device"
  }}
  step {s}_coast "Wait for {t["M"]} to coast down": wait until {t["M"]}.speed <= 0.1 rpm within {rng.randint(2, 10)} min
  parallel {s}_isolate {{
    branch electrical {{
      step {s}_open_cb "Open breaker {t["CB"]}" {{
        open {t["CB"]}
        expect {t["CB"]}.position == open
        performed_by electrician
      }}
      step {s}_open_ds "Open disconnect {t["DS"]}" {{
        open {t["DS"]}
        expect {t["DS"]}.handle == off and {t["DS"]}.blades == open
        performed_by electrician
        hint "Check the blades through the viewing window"
      }}
      step {s}_lock_ds "Lock and tag {t["DS"]}": apply lock to {t["DS"]} and apply tag to {t["DS"]} critical performed_by electrician
    }}
    branch hydraulic {{
      step {s}_close_v "Close valve {t["V"]}" {{
        close {t["V"]}
        expect {t["V"]}.position == 0 % within {rng.randint(1, 5)} min
      }}
      step {s}_lock_v "Lock and tag {t["V"]}" {{ apply lock to {t["V"]}; apply tag to {t["V"]}; critical }}
    }}
  }}
  step {s}_bleed "Bleed {t["ACC"]}" {{
    bleed {t["ACC"]}
    expect {t["ACC"]}.pressure < {rng.choice(["1 bar", "0.5 bar", "10 psi", "50 kPa"])} within {rng.randint(1, 4)} min
    requires {s}_lock_v
    critical
    warning "Bleed through the bleed valve only; never crack a fitting under pressure"
  }}''')
    if rng.random() < 0.7:
        w.add(f'''  if {t["ACC"]}.pressure > 0.2 bar or not {s}_bleed {{
    step {s}_rebleed "Bleed {t["ACC"]} again": bleed {t["ACC"]} expect {t["ACC"]}.pressure < 0.2 bar within 2 min
  }} else {{
    step {s}_read "Read the gauge of {t["ACC"]}": record {t["ACC"]}.pressure
  }}''')
    if rng.random() < 0.5:
        w.add(f'''  choose "Does {t["TK"]} have to be drained for this job?" {{
    option "Yes, drain it" {{
      step {s}_drain "Drain {t["TK"]}" {{
        drain {t["TK"]}
        expect {t["TK"]}.level <= {rng.randint(1, 5)} % within {rng.randint(10, 60)} min
      }}
    }}
    option "No, it stays full" {{
      step {s}_tag_tk "Tag {t["TK"]}": apply tag to {t["TK"]} note "Contents stay in the tank"
    }}
    option "Not sure: bleed again" {{
      goto {s}_bleed up to 2 times
    }}
  }}''')
    w.add(f'''  step {s}_tryout "Try to start {t["M"]}" {{
    try_start {t["M"]}
    expect {t["M"]}.speed == 0 rpm and {t["P"]}.discharge between 0 bar and 0.5 bar
    expect {t["ACC"]}.pressure < 1 bar
    requires ({s}_lock_ds and {s}_lock_v) and {s}_bleed
    critical
    verified_by supervisor
  }}''')


def _train_work(w: _Writer, rng: random.Random, tag: str, t: dict[str, str], gd: str) -> None:
    """The servicing of one train, with its alarm handlers."""
    s = f"t{tag}"
    w.add(f'''  step {s}_check_air "Check the atmosphere at {t["TK"]}" {{
    measure {gd}.oxygen
    expect {gd}.oxygen between 19.5 % vol and 23.5 % vol and {gd}.lel < 10 % LEL
    expect {gd}.h2s < 10 ppm
  }}
  step {s}_work "Service {t["P"]}": work "Replace the mechanical seal of {t["P"]}" for {rng.randint(20, 240)} min
  on alarm {t["ACC"]}.pressure > {rng.randint(2, 10)} bar during {s}_work -> goto {s}_bleed up to 3 times
  on alarm {gd}.lel >= 10 % LEL during {s}_work, {s}_check_air {{
    step {s}_evacuate "Leave the area": communicate attendant "Evacuate: flammable atmosphere near {t["TK"]}"
    abort "Flammable atmosphere during work on {t["P"]}"
  }}''')


def _train_release(w: _Writer, tag: str, t: dict[str, str]) -> None:
    """Each device comes off by the role that applied it (1910.147(e)(3))."""
    s = f"t{tag}"
    w.add(f'''  step {s}_unlock_v "Remove the lock and tag from {t["V"]}" {{
    remove lock from {t["V"]}
    remove tag from {t["V"]}
  }}
  step {s}_unlock_ds "Remove the lock and tag from {t["DS"]}" {{
    remove lock from {t["DS"]}
    remove tag from {t["DS"]}
    performed_by electrician
  }}''')


def _train_restore(w: _Writer, tag: str, t: dict[str, str]) -> None:
    s = f"t{tag}"
    w.add(f'''  step {s}_restore "Restore {t["M"]}": open {t["V"]} and close {t["DS"]} and close {t["CB"]} performed_by electrician''')


def _faults(w: _Writer, rng: random.Random, tag: str, t: dict[str, str], gd: str,
            names: list[str]) -> None:
    s = f"t{tag}"
    pick = rng.randrange(5)
    if pick == 0:
        names.append(f"stuck_{s}")
        w.add(f'''
fault stuck_{s} "Valve {t["V"]} binds at {rng.randint(20, 80)} % open" on {t["V"]} {{
  description "Scale on the stem"
  trigger at step {s}_close_v
  effect stuck at {rng.randint(20, 80)} %
  clears after {rng.randint(30, 300)} s
}}''')
    elif pick == 1:
        names.append(f"creep_{s}")
        w.add(f'''
fault creep_{s} "Pressure creeps back into {t["ACC"]}" on {t["ACC"]} {{
  trigger at step {s}_work
  effect drift {t["ACC"]}.pressure by {rng.randint(1, 5)} bar per 1 min
  clears on step {s}_bleed
}}''')
    elif pick == 2:
        names.append(f"sensor_{s}")
        w.add(f'''
fault sensor_{s} "Oxygen sensor of {gd} reads high" on {gd}.oxygen {{
  trigger random probability {rng.randint(1, 20)} % seed {rng.randint(1, 9999)} every 10 min
  effect sensor_failure reading 20.9 % vol
  clears after {rng.randint(5, 30)} min
}}''')
    elif pick == 3:
        names.append(f"lock_{s}")
        w.add(f'''
fault lock_{s} "Lock on {t["DS"]} not fully closed" on {t["DS"]} {{
  trigger at time {rng.randint(1, 30)} min
  effect lock_failure
  clears when {t["DS"]}.handle == off
}}''')
    else:
        names.append(f"alarm_{s}")
        w.add(f'''
fault alarm_{s} "High discharge pressure on {t["P"]}" on {t["P"]} {{
  trigger when {t["P"]}.discharge > {rng.randint(2, 8)} bar
  effect alarm "High discharge pressure on {t["P"]}"
  clears after 2 min
}}''')


def _area(rng: random.Random, area: int, budget: int) -> list[str]:
    """One plant area: its equipment, lockout procedure, faults and competency."""
    equip, isolate, work, release, restore, faults = (_Writer() for _ in range(6))
    streams = (equip, isolate, work, release, restore, faults)
    gd = f"GD-{area}"
    equip.add(f'''
# ================================================================ area {area}

equipment {gd} "Area {area} gas detector" is GasDetector {{
  t90_oxygen = {rng.randint(5, 30)} s
  tubing_length = {rng.randint(0, 20)} m
  pump_flow = {rng.choice(["0.3 L/min", "0.5 L/min", "1 L/min"])}
  oxygen_low_alarm = 19.5 % vol
  lel_low_alarm = 10 % LEL
  h2s_low_alarm = 10 ppm
}}''')
    proc_name = f"area{area}_lockout"
    trains: list[tuple[str, dict[str, str]]] = []
    fault_names: list[str] = []
    n = 0
    # about 200 lines per train, all streams together; 80 lines of frame per area
    while n < 2 or (n < TRAINS_PER_AREA and sum(map(len, streams)) + 80 < budget):
        n += 1
        tag = f"{area}{n:02d}"
        t = _equipment(equip, rng, tag)
        trains.append((tag, t))
        _train_isolation(isolate, rng, tag, t)
        _train_work(work, rng, tag, t, gd)
        _train_release(release, tag, t)
        _train_restore(restore, tag, t)
        _faults(faults, rng, tag, t, gd, fault_names)
    t1 = trains[0][1]
    energy = ",\n    ".join(f"electrical from {t['DS']}, hydraulic from {t['ACC']}"
                            for _, t in trains)
    head = f'''
# ---------------------------------------------------------------- area {area} procedure

procedure {proc_name} "Lock out the pumps of area {area}" {{
  performed_by mechanic
  roles electrician, mechanic, operator, supervisor, attendant
  energy {energy}
  hazard drive_circuits "Drive circuits up to {t1["DS"]} rating" class electrical_shock
  hazard rotating "Rotating shafts and couplings" class entanglement
  hazard stored_pressure "Accumulators on the pump discharges" class hydraulic_injection
  hazard vapours "Solvent vapours near the day tanks" class flammable_atmosphere
  permit hot_work "Hot work permit"
  ppe "safety glasses", "cut-resistant gloves", "safety shoes"
  boundary limited 3.5 ft, restricted 1 ft
  group_lockout

  # 1910.147(c)(9): affected employees are told before the controls are applied
  step notify_start "Tell the operators": notify operator "The pumps of area {area} will be stopped and locked out"
  step issue "Issue the permit": issue permit hot_work performed_by supervisor
  step sign "Sign the permit": sign permit hot_work
  step bump "Bump-test the gas detector" {{
    bump_test {gd}
    expect {gd}.bump_tested
  }}
  step hold_brief "Pre-job brief": hold for supervisor "Wait for the pre-job brief"'''
    middle = '''  call verify_zero_energy'''
    checks = '''  # 1910.147(e)(1), (e)(2)(i): tools removed, everyone accounted for
  step clear "Clear the work area": clear area "Tools, old seals and rags removed; guards refitted"
  step headcount "Account for everyone": account for electrician, mechanic, attendant performed_by supervisor'''
    tail = f'''  # 1910.147(e)(2)(ii): affected employees are told before the restart
  step notify_end "Tell the operators": notify operator "Locks removed in area {area}; pumps are about to be restarted"
''' + "\n".join(restore.lines) + '''
  step close_permit "Close the permit": revoke permit hot_work performed_by supervisor
}'''
    steps = [f"t{tag}_tryout" for tag, _ in trains[:3]]
    recover = "\n".join(f"  recovery_time {f} <= {rng.randint(1, 5)} min" for f in fault_names[:3])
    comp = f'''
competency area{area}_loto "Lockout of area {area}, authorized employee" {{
  assesses {proc_name}
  based_on site_high_risk
  risk high
  pass_score {rng.randint(75, 95)} %
  valid_for 1 year
  critical_errors == 0 critical
  sequence_accuracy >= {rng.randint(90, 99)} % weight 2
''' + "\n".join(f"  step_time {s} <= 2 min" for s in steps) + f'''
{recover}
  decision_latency <= 15 s
  initial {{
    completion_time <= {8 * n} h
    hints_used <= 2
  }}
  refresher {{
    completion_time <= {7 * n} h
    hints_used == 0
  }}
}}'''
    return [*equip.lines, *head.split("\n"), *isolate.lines, *middle.split("\n"),
            *work.lines, *checks.split("\n"), *release.lines, *tail.split("\n"),
            *faults.lines, *comp.split("\n")]


def generate(lines: int = 30_000, seed: int = 20240601, title: str | None = None) -> str:
    """A scenario of at least ``lines`` lines that checks clean."""
    rng = random.Random(seed)
    out: list[str] = [
        f'scenario "{title or f"Benchmark site ({lines} lines, seed {seed})"}" {{',
        f"  id bench-{seed}",
        '  version "1.0"',
        "  risk high",
        '  site "Synthetic plant for the check benchmark"',
        "}",
    ]
    for part in (KINDS, ROLES, SUBSTANCES, PROFILE):
        out.extend(part.split("\n"))
    area = 0
    while len(out) < lines:
        area += 1
        # areas of about 5,000 lines; the last one only as large as still needed
        out.extend(_area(rng, area, min(5_000, lines - len(out))))
    return "\n".join(out) + "\n"


def write_corpus(directory: Path, lines: int = 30_000, seed: int = 20240601,
                 files: int = 0, small_lines: int = 1_000) -> list[Path]:
    """Write the big file (and ``files`` smaller self-contained ones) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    big = directory / "site.twin"
    big.write_text(generate(lines, seed), encoding="utf-8")
    paths = [big]
    for i in range(files):
        p = directory / f"unit{i + 1:02d}.twin"
        p.write_text(generate(small_lines, seed + i + 1, title=f"Benchmark unit {i + 1}"),
                     encoding="utf-8")
        paths.append(p)
    return paths
