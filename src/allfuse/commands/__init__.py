"""The command line of every ``allfuse`` subcommand: one module each, ``add_arguments(parser)`` and
``run(args) -> int``.

Only these modules (and :mod:`allfuse.cli`, which dispatches to them) know argparse: a step module is
a plain library taking typed values, so the workflow, the tests and a notebook call the same code
the command does, and an option's name or help text changes in one place.
"""
