"""Diagnostic codes of the semantic stage: modules and names (TW02xx), kinds, parameters
and units (TW03xx), procedures, roles, faults and competencies (TW04xx)."""

from ..diagnostics.codes import define

MOD = "modules and names"
KIND = "kinds, parameters and units"
PROC = "procedures, faults and competencies"

UNKNOWN_MODULE = define("TW0201", "unknown-module", "error",
    "`use` names a module that does not exist",
    """
    `use stdlib.NAME.{...}` reads `NAME.twin` from the standard library; any other path is
    relative to the directory of the file that says `use`: `use plant.area3.{DS-12}` reads
    `plant/area3.twin` next to it. The diagnostic lists the modules that do exist when one
    is close to what was written.

        use stdlib.equipment.{GateValve, Motor}
    """, MOD)

UNKNOWN_IMPORT = define("TW0202", "unknown-import", "error",
    "`use` imports a name the module does not define",
    """
    Every name between the braces of a `use` must be declared at the top level of that
    module (a kind, equipment, role, procedure, profile, substance, ...). Names are case
    sensitive: `GateValve`, not `gatevalve`.
    """, MOD)

IMPORT_CYCLE = define("TW0203", "import-cycle", "error",
    "modules that `use` each other in a circle",
    """
    A module cannot use itself, directly or through other modules: `a.twin` uses `b.twin`
    which uses `a.twin`. Move what both need into a third module that both use.
    """, MOD)

UNKNOWN_NAME = define("TW0204", "unknown-name", "error",
    "a name that is not declared or imported",
    """
    Every equipment tag, kind, role, step, procedure, fault, permit, substance and profile
    used in a module must be declared in it or imported with `use`. The message says what
    kind of name was expected; `help:` suggests a close spelling when there is one.

        use stdlib.equipment.{GateValve}
        equipment V-31 is GateValve { ... }
    """, MOD)

DUPLICATE_DEFINITION = define("TW0205", "duplicate-definition", "error",
    "a name declared twice in the same scope",
    """
    Top-level names (equipment tags, kinds, roles, procedures, faults, competencies, ...)
    share one namespace per module; step names are unique within their procedure; a kind's
    parameters and states are unique within the kind. A second declaration would make every
    reference ambiguous; rename one of them.
    """, MOD)

WRONG_KIND_OF_NAME = define("TW0206", "wrong-kind-of-name", "error",
    "a name that exists but is the wrong kind of thing here",
    """
    The name is declared, but as something else: for example a role where equipment is
    expected (`apply lock to supervisor`) or a procedure where a kind is expected
    (`equipment V-1 is lockout`).
    """, MOD)

UNUSED_IMPORT = define("TW0207", "unused-import", "warning",
    "an imported name that is never used",
    """
    The name is imported by `use` but nothing in the module refers to it. Remove it from
    the braces to keep the dependencies of the scenario clear.
    """, MOD)

DUPLICATE_HEADER = define("TW0208", "duplicate-header", "error",
    "more than one `scenario` or `module` header in a file",
    """
    A file is either a scenario (one `scenario "Title" { ... }` header) or a library module
    (one `module "Title"` line), never both and never twice.
    """, MOD)

MISSING_HEADER = define("TW0209", "missing-header", "warning",
    "a file with procedures but no `scenario` header",
    """
    A file that defines procedures is a training scenario and should say what it is: its
    id, title, version and risk class. These travel into the compiled bundle and into the
    competency records.

        scenario "Lockout of conveyor C-12" {
          id loto-conveyor-c12
          version "1.0"
          risk high
        }
    """, MOD)

UNKNOWN_UNIT = define("TW0301", "unknown-unit", "error",
    "a unit twinlang does not know",
    """
    Quantities use the usual unit symbols: `mm`, `in`, `bar`, `psi`, `kPa`, `N*m`, `kW`,
    `V`, `rpm`, `L/min`, `m^3`, `min`, `s`, `degC`, `%`, `ppm`, `% LEL`. Products are written
    with `*` and quotients with `/`, without spaces: `N*m`, `L/min`.
    """, KIND)

WRONG_DIMENSION = define("TW0302", "wrong-dimension", "error",
    "a value whose unit measures the wrong thing",
    """
    Each parameter, state and metric has a type: a pressure takes `bar` or `psi`, a time
    takes `s` or `min`, a torque `N*m`. A unit of another dimension is almost always a typo
    or a confusion (`40 N` where `40 N*m` was meant) and would make the physics wrong.
    """, KIND)

MISSING_UNIT = define("TW0303", "missing-unit", "error",
    "a physical quantity written without its unit",
    """
    Every physical quantity carries its unit: `90 bar`, not `90`. Only counts (`turns_to_close
    = 8`) and plain numbers are written without one.
    """, KIND)

UNKNOWN_PARAMETER = define("TW0304", "unknown-parameter", "error",
    "a parameter that the equipment's kind does not have",
    """
    An equipment declaration may only set the parameters its kind declares. The kind is in
    the standard library or in a module you use; `twinlang explain` of the kind's module, or
    hovering in an editor, lists them.
    """, KIND)

MISSING_PARAMETER = define("TW0305", "missing-parameter", "error",
    "a required parameter that is not set",
    """
    Parameters without a default value in the kind must be set on every equipment of that
    kind, because the simulation cannot guess them (a valve's size, a motor's power).
    """, KIND)

OUT_OF_RANGE = define("TW0306", "out-of-range", "error",
    "a value outside the range its kind allows",
    """
    Kinds declare plausible ranges for their parameters (with the source of the figures in
    the standard library). A value outside the range is usually a unit slip (`90 psi` meant
    as `90 bar`) or a typo. If the plant really is outside the range, define a kind of your
    own for it.
    """, KIND)

UNKNOWN_TYPE = define("TW0307", "unknown-type", "error",
    "a parameter or state of a type twinlang does not know",
    """
    Parameter and state types are dimension names (`pressure`, `torque`, `length`, `time`,
    `flow`, `fraction`, `concentration`, `count`, ...), `boolean`, `text`, or
    `choice(a, b, c)`.
    """, KIND)

UNKNOWN_MEMBER = define("TW0308", "unknown-member", "error",
    "`TAG.name` where the equipment's kind has no state of that name",
    """
    A dotted reference reads an observable state of the equipment: `M-12.speed`,
    `ACC-3.pressure`. The states come from the kind.
    """, KIND)

ACTION_NOT_ACCEPTED = define("TW0309", "action-not-accepted", "error",
    "an action that the target equipment's kind does not accept",
    """
    Each kind lists the actions a trainee can perform on it (`action open, close` for a
    valve, `action press` for a push button). Locks and tags need a `lockable` kind.
    """, KIND)

INVALID_CHOICE = define("TW0310", "invalid-choice", "error",
    "a value that is not one of the choices of its type",
    """
    A `choice(a, b, c)` parameter or state takes one of the listed names.
    """, KIND)

INVALID_RANGE = define("TW0311", "invalid-range", "error",
    "a kind's range that is empty, or a default outside it",
    """
    In `param NAME: TYPE = DEFAULT range LOW .. HIGH`, LOW must not exceed HIGH and the
    default must lie within the range.
    """, KIND)

WRONG_VALUE_TYPE = define("TW0312", "wrong-value-type", "error",
    "a value of the wrong sort (a string where a number is needed, ...)",
    """
    Numbers, strings, `true`/`false` and names are not interchangeable: a pressure needs a
    number with a unit, a `text` parameter a string, a `boolean` `true` or `false`.
    """, KIND)

NOT_FINITE = define("TW0313", "number-out-of-bounds", "error",
    "a number too large to represent",
    """
    A number is too large (or too small) to be a real measurement once converted to SI
    units. Check for a typo or a missing decimal point.
    """, KIND)

UNKNOWN_ENERGY = define("TW0314", "unknown-energy-type", "error",
    "an energy type that is not declared",
    """
    Energy types come from the prelude: electrical, electrical_stored, mechanical,
    mechanical_spring, gravitational, hydraulic, pneumatic, chemical, thermal, radiant.
    """, KIND)

UNKNOWN_STEP = define("TW0401", "unknown-step", "error",
    "a reference to a step that does not exist in the procedure",
    """
    `goto`, `during`, `requires`, fault triggers (`at step`) and `step_time` refer to steps
    by name. The step must exist in the procedure (for fault triggers and competencies: in a
    procedure of the scenario).
    """, PROC)

UNKNOWN_ROLE = define("TW0402", "unknown-role", "error",
    "a role that is not declared",
    """
    `performed_by`, `verified_by`, `notify`, `communicate`, `hold for` and `roles` name
    roles declared with `role NAME "Title"`.
    """, PROC)

UNKNOWN_RISK = define("TW0403", "unknown-risk-class", "error",
    "a risk class other than low, medium, high or critical",
    """
    Risk classes are `low`, `medium`, `high` and `critical`. They select the default
    competency profile and are carried into the competency record.
    """, PROC)

UNKNOWN_METRIC = define("TW0404", "unknown-metric", "error",
    "a competency threshold on a metric that does not exist",
    """
    Metrics are: sequence_accuracy, critical_errors, omission_errors, commission_errors,
    wrong_order_errors, wrong_role_errors, expectations_failed, completion_time,
    step_time STEP, recovery_time [FAULT], decision_latency, hints_used.
    """, PROC)

METRIC_SUBJECT = define("TW0405", "metric-subject", "error",
    "a metric given a subject it does not take, or missing one it needs",
    """
    `step_time` needs the step it times (`step_time tryout <= 2 min`); `recovery_time` may
    name a fault; other metrics take no subject.
    """, PROC)

UNKNOWN_PERMIT = define("TW0406", "unknown-permit", "error",
    "a permit that the procedure does not declare",
    """
    `issue permit P`, `sign permit P` and `revoke permit P` refer to a permit declared in
    the procedure with `permit P "Title"`.
    """, PROC)

UNKNOWN_DEVICE = define("TW0407", "unknown-device", "error",
    "`apply` or `remove` of something that is not a protective device",
    """
    `apply DEVICE to TAGS` places a protective device: lock, tag, ground, bond, blind,
    block or barrier. Other actions are verbs of the equipment's kind (`open DS-12`).
    """, PROC)

EMPTY_PROCEDURE = define("TW0408", "empty-procedure", "error",
    "a procedure, branch or option without steps",
    """
    A procedure needs at least one step; so do each `branch` of a `parallel`, each
    `option` of a `choose` and the body of an `if`.
    """, PROC)

UNKNOWN_HAZARD_CLASS = define("TW0409", "unknown-hazard-class", "error",
    "a hazard class twinlang does not know",
    """
    Hazard classes drive the rule packs (PPE, atmospheric tests, ...): electrical_shock,
    arc_flash, stored_electrical, mechanical, entanglement, crush, pressure,
    hydraulic_injection, thermal, fall, engulfment, oxygen_deficiency, oxygen_enrichment,
    flammable_atmosphere, toxic_atmosphere, flammable_liquid, corrosive, toxic, reactive,
    static_discharge, noise, radiation.
    """, PROC)

INVALID_VALUE = define("TW0410", "invalid-value", "error",
    "a value that cannot be right here (a negative time, a probability over 100 %, ...)",
    """
    Some values have natural bounds: time limits and durations are positive, a probability
    lies between 0 % and 100 %, a weight is positive, a bound on `goto` is at least 1.
    """, PROC)

UNKNOWN_CONSEQUENCE = define("TW0411", "unknown-consequence", "error",
    "an incompatibility consequence twinlang does not know",
    """
    Consequences of mixing incompatible reactivity groups follow EPA-600/2-80-076: heat,
    fire, innocuous_gas, toxic_gas, flammable_gas, explosion, violent_polymerization,
    solubilization, unknown.
    """, PROC)

UNKNOWN_CODE = define("TW0412", "unknown-code", "error",
    "`allow` names a diagnostic code that does not exist",
    """
    `allow CODE because "reason"` switches off one rule for a file or procedure. The code
    must be a real diagnostic code (see `twinlang explain CODE`).
    """, PROC)

NOT_ALLOWABLE = define("TW0413", "not-allowable", "error",
    "`allow` of a diagnostic that cannot be switched off",
    """
    Only the safety rules of the step graph (TW05xx and above) and warnings can be allowed
    with a written reason. Errors in the text itself (syntax, unknown names, wrong units)
    must be fixed.
    """, PROC)

UNKNOWN_SUBSTANCE_PARAM = define("TW0414", "unknown-substance-property", "error",
    "a substance property twinlang does not know",
    """
    Substances take flash_point, boiling_point, lfl, ufl, pel, idlh, vapor_density,
    flammable_category and conductivity.
    """, PROC)
