"""How the workflow's Snakemake process ends (allfuse.snakemake_exit, README "Speed").

The onsuccess handler cancels Snakemake's own re-scheduling timers, and only those. The timers are
made by the installed Snakemake's JobScheduler._schedule_reevalutation itself, on a stand-in
scheduler that has only the semaphore the timer releases: if a Snakemake upgrade renames or changes
it, this test fails rather than the run silently waiting again. And the objects are frozen at exit,
in a real interpreter's exit, not before."""

from __future__ import annotations

import subprocess
import sys
import threading
from types import SimpleNamespace

from snakemake.scheduling.job_scheduler import JobScheduler

from allfuse.snakemake_exit import cancel_rescheduling_timers


def test_cancels_the_schedulers_timers_and_leaves_others() -> None:
    scheduler = SimpleNamespace(_open_jobs=threading.Semaphore(0))
    before = set(threading.enumerate())
    JobScheduler._schedule_reevalutation(scheduler, 60)
    (timer,) = [t for t in threading.enumerate() if t not in before]
    assert isinstance(timer, threading.Timer) and not timer.daemon

    fired = threading.Event()
    other = threading.Timer(60, fired.set)
    other.start()
    try:
        assert cancel_rescheduling_timers() == 1
        timer.join(5)
        assert not timer.is_alive()
        # cancelled, not fired: the scheduler's semaphore was never released
        assert not scheduler._open_jobs.acquire(blocking=False)
        assert other.is_alive() and not fired.is_set()
        assert cancel_rescheduling_timers() == 0
    finally:
        other.cancel()
        timer.cancel()


def test_objects_are_frozen_when_the_process_exits() -> None:
    # a handler registered before the workflow's runs after it (atexit runs last-in, first-out)
    script = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from allfuse.snakemake_exit import freeze_objects_at_exit\n"
        "freeze_objects_at_exit()\n"
        "print('frozen before exit:', gc.get_freeze_count() > 0)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines() == ["frozen before exit: False", "frozen at exit: True"]
