"""Steps that run while nothing else can (the reads check's feed and verdict inside the alignment
job, the run's provenance before the first annotate job) start without pandas: on a 2-core
machine every second of theirs is a second of the whole run (README "Speed"). Checked in a fresh
interpreter, as the pipeline starts them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO


@pytest.mark.parametrize(
    "module", ["allfuse.commands.read_stream", "allfuse.commands.provenance", "allfuse.report.provenance"]
)
def test_step_imports_no_pandas(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in ('pandas', 'numpy', 'jsonschema') if m in sys.modules))"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO / "src")},
    )
    assert proc.stdout.strip() == "[]", (module, proc.stdout, proc.stderr)
