"""``allfuse annotate`` options for callers that only run elsewhere (FusionInspector, FusionCatcher)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import BIN, read_tsv, shared_path


def test_fusioninspector_gets_its_own_table(tmp_path: Path) -> None:
    fi = shared_path("fusioninspector/ex2.finspector.fusion_predictions.final.abridged.FFPM")
    gtf = shared_path("hamlet/reference/hamlet-ref.gtf")
    cmd = [str(BIN / "allfuse"), "annotate", "--sample", "FI", "--gtf", str(gtf),
           "--outdir", str(tmp_path), "--fusioninspector", str(fi)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)
    calls = read_tsv(tmp_path / "calls" / "fusioninspector.tsv")
    assert len(calls) == 20 and set(calls.caller) == {"fusioninspector"}
    top = calls.iloc[0]
    assert (top.fusion, top.junction_reads, top.spanning_frags) == ("MICAL1::TMEM198B", "159", "1582")
    events = read_tsv(tmp_path / "fusions.tsv")
    assert len(events) == 20 and set(events.callers) == {"fusioninspector"}
