"""Diagnostic codes of the step graph's structural rules (TW05xx).

The safety rule packs declare their own codes (TW06xx and above) in their modules under
`twinlang/graph/rules/`.
"""

from ..diagnostics.codes import define

STAGE = "step graph structure"

RULE_ALLOWED = define("TW0500", "rule-allowed", "note",
    "a safety rule switched off by `allow`, and why",
    """
    `allow CODE because "reason"` switches a rule off for a file or a procedure. twinlang
    never does that silently: each `allow` that took effect is reported as a note with its
    reason, so a reviewer sees every exception in the output of `twinlang check`.
    """, STAGE)

UNREACHABLE_STEP = define("TW0501", "unreachable-step", "error",
    "a step that no path from the start of the procedure reaches",
    """
    A step after a `goto` in the same block, or only reachable from a branch that can never
    be taken, is never performed. Either the jump is wrong or the step is dead text that a
    trainee would never meet.
    """, STAGE)

DEAD_END = define("TW0502", "dead-end", "error",
    "a step from which the procedure can never reach its end",
    """
    Every path must end: at the end of the procedure or at an `abort` (a safe stop). A
    step whose every continuation loops forever leaves the trainee, and the plant, in an
    undefined state.
    """, STAGE)

UNBOUNDED_LOOP = define("TW0503", "unbounded-loop", "error",
    "a cycle of steps with no bound on how often it repeats",
    """
    Procedures may repeat steps only through an explicit, bounded retry:
    `goto bleed up to 3 times`. A loop without a bound could repeat forever in the twin
    and has no defined outcome to assess.
    """, STAGE)

GOTO_ACROSS_PARALLEL = define("TW0504", "goto-across-parallel", "error",
    "a `goto` into or out of a branch of a `parallel` block",
    """
    The branches of a `parallel` block start together at the fork and meet at the join.
    Jumping into a branch skips the fork; jumping out of one leaves the join waiting
    forever. Jump to a step outside the `parallel` block, or restructure the branches.
    """, STAGE)

HANDLER_NO_EXIT = define("TW0505", "handler-no-exit", "error",
    "an alarm handler that does not say how it ends",
    """
    An alarm handler must end with `resume` (back to the interrupted step), `goto STEP`
    or `abort "reason"` (a safe stop). Falling off the end of a handler leaves the
    procedure in an undefined state at exactly the moment something went wrong.
    """, STAGE)

RECURSIVE_CALL = define("TW0506", "recursive-call", "error",
    "a sub-procedure that calls itself, directly or through others",
    """
    `call P` expands the steps of `P` in place. A procedure that calls itself would
    expand forever. For a bounded repetition use `goto STEP up to N times`.
    """, STAGE)

GRAPH_TOO_LARGE = define("TW0507", "graph-too-large", "error",
    "a procedure whose step graph exceeds twinlang's limits",
    """
    A procedure may expand (with its calls) to at most 500,000 nodes, and calls may nest
    at most 16 deep. Larger procedures cannot be trained on meaningfully; split them.
    """, STAGE)

RESUME_OUTSIDE_HANDLER = define("TW0508", "resume-outside-handler", "error",
    "`resume` used outside an alarm handler",
    """
    `resume` returns from an alarm handler to the step the alarm interrupted; elsewhere
    there is nothing to return to.
    """, STAGE)
