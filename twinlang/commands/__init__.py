"""Verbs of the `twinlang` command defined outside `twinlang.cli`.

Each module here is found by `twinlang.cli.command_modules` and has one function,
``register(verbs)``, that adds its sub-parser(s) to the ``argparse`` sub-parser action
``verbs`` and sets ``command=`` and ``func=`` defaults.  ``func(args)`` returns the
exit code.  Module level imports stay light (the standard library and
`twinlang.cli`); the work is imported inside ``func``.
"""
