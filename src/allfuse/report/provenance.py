"""``allfuse provenance``: what a run used, written once per run for every report to cite.

Tool versions are asked from the tools on PATH (each sample's report prefers the version the tool wrote
in its own log for that sample, see :mod:`allfuse.report.sample`); references are named with their
md5 and size, because a file name alone does not say which genome build or annotation release it is.
Checksumming a 3 GB genome takes seconds, so it is done here once and not in every sample's report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

from allfuse import __version__
from allfuse.callers.registry import CALLERS, PIPELINE_TOOLS
from allfuse.errors import InputError

#: caller (or "always": every run) -> (tool name, version command) of the tools the pipeline runs
#: for it; from the caller registry.
TOOL_COMMANDS: dict[str, list[tuple[str, list[str]]]] = {
    key: [(name, list(cmd)) for name, cmd in tools]
    for key, tools in (("always", PIPELINE_TOOLS), *((c.name, c.tools) for c in CALLERS))
    if tools
}
_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?[a-z]?)")


def tool_version(command: list[str]) -> str:
    """First version-looking number the command prints, or why there is none."""
    if shutil.which(command[0]) is None:
        return "not on PATH"
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc.__class__.__name__})"
    m = _VERSION.search(proc.stdout + "\n" + proc.stderr)
    return m.group(1) if m else "unknown"


def md5sum(path: Path) -> str:
    h = hashlib.md5()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def provenance(fasta: Path, gtf: Path, callers: list[str], config: dict, notes: list[str] = ()) -> dict:
    tools = {}
    for key in ["always", *callers]:
        for name, cmd in TOOL_COMMANDS.get(key, []):
            tools[name] = tool_version(cmd)
    refs = []
    for role, path in (("FASTA", fasta), ("GTF", gtf)):
        if not path.is_file():
            raise InputError(f"{path}: reference {role} not found")
        refs.append({"role": role, "name": path.name, "md5": md5sum(path), "bytes": path.stat().st_size})
    return {
        "allfuse": __version__,
        "tools": tools,
        "references": refs,
        "config": config,
        "notes": list(notes),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
