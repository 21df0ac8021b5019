"""How the Snakemake process running this workflow ends: without waiting for what no longer matters.

Two costs came after the last job in every run, measured on the benchmark's runs (README "Speed"):

- Snakemake's job scheduler starts a ``threading.Timer`` of one second after each scheduling round,
  so that it looks again once ``--max-jobs-per-timespan`` (100/1s by default) allows more jobs.
  These timers are not daemon threads: after the last job Python waited for the last of them before
  the process exited, up to a second for every run. The workflow's ``onsuccess`` handler calls
  :func:`cancel_rescheduling_timers` once the scheduler has returned, when a timer's only remaining
  effect is that wait.
- When the process exits, Python's finalization took about a second on a 1,000-sample plan, after
  the plan had been printed: about 430,000 objects tracked by the garbage collector, most of them
  Snakemake's jobs and their files, in reference cycles. :func:`freeze_objects_at_exit` registers
  :func:`gc.freeze` to run at exit (0.04 s then): the final collections skip those objects, and
  what lies in cycles is left to the operating system rather than collected. What that could lose
  is what such an object's finalizer would still do, chiefly writing an unclosed file's buffer; at
  that point the process has no file open for writing but its standard output and error, which
  Python flushes itself (checked through ``/proc/self/fd`` on Snakemake 9.27's real and dry runs of
  this workflow).
"""

from __future__ import annotations

import atexit
import gc
import threading

# The scheduler's timers run a lambda defined in JobScheduler._schedule_reevalutation (Snakemake's
# spelling); tests/test_snakemake_exit.py checks the installed Snakemake still names it so.
SCHEDULER_TIMER = "JobScheduler._schedule_reevalutation."


def cancel_rescheduling_timers() -> int:
    """Cancel the scheduler's pending timers; return how many. A cancelled timer's thread ends at
    once without calling its function. Other timers (a plugin's, say) are left alone, and should
    Snakemake rename its method nothing is cancelled and the run ends as it did before."""
    cancelled = 0
    for thread in threading.enumerate():
        name = getattr(getattr(thread, "function", None), "__qualname__", "")
        if isinstance(thread, threading.Timer) and name.startswith(SCHEDULER_TIMER):
            thread.cancel()
            cancelled += 1
    return cancelled


def freeze_objects_at_exit() -> None:
    """At the process's exit, move every object the garbage collector tracks out of its reach, so
    that the interpreter's final collections do not walk them (see the module's docstring)."""
    atexit.register(gc.freeze)
