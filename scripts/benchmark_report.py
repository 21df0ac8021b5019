#!/usr/bin/env python3
"""Print how long the HTML reports take (figures, not a test): targets < 2 s for one sample's report
and < 30 s for the cohort page of 1,000 samples.

Usage (after `make demo`, from the project folder):
    .venv/bin/python scripts/benchmark_report.py [--results results] [--sample INF01] [--n 1000]

One sample: the whole `allfuse report` command (a new Python process, as Snakemake runs it) and the
rendering alone. Cohort: 1,000 sample folders synthesized in a temporary directory from the run's own
samples (copies of their classification.json, qc.tsv and fusions.tsv under new IDs, and a cohort.tsv
with one row each), then the whole `allfuse cohort-report` command.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from allfuse.report.page import sample_report

BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def synthesize(results: Path, dest: Path, n: int) -> list[str]:
    """n sample folders (and cohort.tsv) cycling through the real samples of ``results``."""
    real = sorted(p.parent.name for p in results.glob("*/classification.json"))
    if not real:
        raise SystemExit(f"{results}: no sample results (run `make demo` first)")
    cohort = pd.read_csv(results / "cohort.tsv", sep="\t", dtype=str, keep_default_na=False)
    by_sample = {r["sample"]: r for r in cohort.to_dict("records")}
    names, rows = [], []
    for i in range(n):
        src = real[i % len(real)]
        name = f"S{i + 1:04d}_{src}"
        out = dest / name
        out.mkdir(parents=True)
        for f in ("classification.json", "qc.tsv", "fusions.tsv"):
            shutil.copy(results / src / f, out / f)
        (out / "report.html").write_text("<!DOCTYPE html><title>placeholder</title>\n")
        rows.append({**by_sample[src], "sample": name})
        names.append(name)
    pd.DataFrame(rows, columns=cohort.columns).to_csv(dest / "cohort.tsv", sep="\t", index=False)
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=REPO / "results")
    parser.add_argument("--sample", help="sample for the one-sample figure (default: the first)")
    parser.add_argument("--n", type=int, default=1000, help="samples in the synthetic cohort")
    args = parser.parse_args()
    results = args.results
    sample = args.sample or min(p.parent.name for p in results.glob("*/classification.json"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out = tmp / "report.html"
        cli = timed(
            [str(BIN / "allfuse"), "report", "--sample-dir", str(results / sample), "--out", str(out)]
        )
        # The same work in a fresh process without the `allfuse` front end (which imports every
        # subcommand's module, survival's lifelines/scipy included, before choosing one).
        code = (
            "import sys; from pathlib import Path; from allfuse.report.page import sample_report, write_atomic; "
            "write_atomic(Path(sys.argv[2]), sample_report(Path(sys.argv[1])))"
        )
        direct = timed([sys.executable, "-c", code, str(results / sample), str(out)])
        start = time.perf_counter()
        sample_report(results / sample)
        render = time.perf_counter() - start
        print(
            f"one sample ({sample}, {out.stat().st_size / 1024:.0f} KiB): `allfuse report` {cli:.2f} s; "
            f"report module in a fresh process {direct:.2f} s (target < 2 s); rendering alone {render:.3f} s"
        )
        names = synthesize(results, tmp / "cohort", args.n)
        cohort_out = tmp / "cohort" / "cohort.html"
        cmd = [str(BIN / "allfuse"), "cohort-report", "--results", str(tmp / "cohort"), "--samples", *names,
               "--out", str(cohort_out)]  # fmt: skip
        took = timed(cmd)
        print(
            f"cohort page, {args.n} samples: allfuse cohort-report {took:.2f} s (target < 30 s), "
            f"{cohort_out.stat().st_size / 1024:.0f} KiB"
        )
        (tmp / "cohort" / "cohort.tsv").unlink()
        took = timed(cmd)
        print(f"cohort page, {args.n} samples without cohort.tsv (reads each sample's files): {took:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
