"""A real one-node SLURM cluster for the tests, started and stopped through scripts/slurm-local.sh.

The script is the example users read; this module only calls it, so what the test runs is what the
README tells a user to run. Start failures raise (the SLURM test fails, it never skips), and the
daemons are stopped by the PIDs the script recorded even when the body of the ``with`` fails.

The daemons need root. As root the script runs directly; another user runs it through passwordless
``sudo -n`` (the jobs still run as that user, and the cluster folder is handed back to them when the
daemons have stopped). ``as_root()`` says which; None means neither works (``NEEDS_ROOT``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "slurm-local.sh"
PARTITION = "allfuse"
DAEMONS = ("munged", "slurmctld", "slurmd")
NEEDS_ROOT = "SLURM daemons need root: run as root or with passwordless sudo (`sudo -n true` must work)"


@cache
def as_root() -> tuple[str, ...] | None:
    """Command prefix that runs as root: none for root, ``sudo -n`` when passwordless sudo works, else None."""
    if os.geteuid() == 0:
        return ()
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True, check=False).returncode == 0:
        return (sudo, "-n")
    return None


@dataclass(frozen=True)
class SlurmCluster:
    """A running cluster: its folder, config, partition and the node's CPUs and memory."""

    folder: Path
    partition: str
    cpus: int
    mem_mb: int

    @property
    def conf(self) -> Path:
        return self.folder / "slurm.conf"

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for SLURM clients (sinfo, sbatch, Snakemake's executor) of this cluster."""
        return dict(base if base is not None else os.environ, SLURM_CONF=str(self.conf))

    def pids(self) -> dict[str, int]:
        """PIDs of the daemons the script started (from their PID files)."""
        out = {}
        for name in DAEMONS:
            pidfile = self.folder / f"{name}.pid"
            if pidfile.exists():
                out[name] = int(pidfile.read_text().split()[0])
        return out

    def query(self, *args: str) -> str:
        """Run a SLURM client command (squeue, scontrol, sinfo) against this cluster."""
        proc = subprocess.run(list(args), capture_output=True, text=True, env=self.env(), check=True)
        return proc.stdout


def _node(folder: Path) -> tuple[int, int]:
    """CPUs and RealMemory (MB) of the node as slurmctld knows it."""
    conf = (folder / "slurm.conf").read_text()
    m = re.search(r"^NodeName=\S+ .*\bCPUs=(\d+) RealMemory=(\d+)", conf, re.MULTILINE)
    if not m:
        raise RuntimeError(f"{folder / 'slurm.conf'}: no NodeName line with CPUs and RealMemory")
    return int(m.group(1)), int(m.group(2))


def _tail(path: Path) -> str:
    try:
        return path.read_text()[-2000:]
    except OSError as err:  # written by root through sudo
        return f"(not readable: {err.strerror})"


def _logs(folder: Path) -> str:
    return "\n".join(f"--- {p}\n{_tail(p)}" for p in sorted((folder / "log").glob("*.log")))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a root daemon, seen by a user who started it through sudo
        return True
    return True


@contextmanager
def local_slurm(folder: Path) -> Iterator[SlurmCluster]:
    """Start munged, slurmctld and slurmd for this machine in ``folder``; stop them on the way out."""
    root = as_root()
    if root is None:
        raise RuntimeError(NEEDS_ROOT)
    env = dict(os.environ, SLURM_LOCAL_PARTITION=PARTITION)

    def script(action: str) -> list[str]:
        cmd = ["bash", str(SCRIPT), action, str(folder)]
        # sudo resets the environment: the partition is passed through env(1) instead.
        return [*root, "env", f"SLURM_LOCAL_PARTITION={PARTITION}", *cmd] if root else cmd

    try:
        start = subprocess.run(
            script("start"),
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        if start.returncode != 0:
            raise RuntimeError(
                f"single-node SLURM did not start (exit {start.returncode}):\n{start.stderr}\n{_logs(folder)}"
            )
        cpus, mem_mb = _node(folder)
        yield SlurmCluster(folder=folder, partition=PARTITION, cpus=cpus, mem_mb=mem_mb)
    finally:
        subprocess.run(script("stop"), env=env, timeout=120, check=False)
        if root:  # the folder is the user's again (pytest removes its old temporary folders)
            owner = f"{os.getuid()}:{os.getgid()}"
            subprocess.run([*root, "chown", "-R", owner, str(folder)], timeout=120, check=False)
