#!/usr/bin/env python3
"""Print speed and memory figures of the pipeline (not a test: figures, to compare over time).

Usage (after `make demo`, from the project folder):
    .venv/bin/python scripts/benchmark.py [--shared ../shared/data]

Reads Snakemake's per-job benchmark files under benchmarks/ (wall seconds, max RSS) and times
`allfuse annotate` on the largest real Chimeric.out.junction in ../shared/data.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def rule_figures(bench_dir: Path) -> pd.DataFrame:
    rows = []
    for f in sorted(bench_dir.rglob("*.tsv")):
        b = pd.read_csv(f, sep="\t")
        rows.append(
            {
                "rule": f.stem,
                "job": str(f.relative_to(bench_dir)),
                "s": b["s"].iloc[0],
                "max_rss_mb": b["max_rss"].iloc[0],
            }
        )
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    return (
        df.groupby("rule")
        .agg(
            jobs=("job", "count"), total_s=("s", "sum"), max_s=("s", "max"), max_rss_mb=("max_rss_mb", "max")
        )
        .round(2)
    )


def time_annotate(shared: Path) -> str:
    junctions = shared / "star-fusion/chimeric_junction/hg38.Chimeric.out.junction"
    gtf = shared / "hamlet/reference/hamlet-ref.gtf"
    if not junctions.is_file():
        return f"skipped: {junctions} not found"
    with open(junctions) as fh:
        n = sum(1 for line in fh if line.strip() and not line.startswith(("#", "chr_donorA")))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        cmd = [
            str(Path(sys.executable).parent / "allfuse"),
            "annotate",
            "--sample",
            "bench",
            "--gtf",
            str(gtf),
            "--outdir",
            tmp,
            "--star-chimeric",
            str(junctions),
        ]
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return f"allfuse annotate on {n} chimeric records: {wall:.1f} s wall, {rss:.0f} MB max RSS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    figures = rule_figures(REPO / "benchmarks")
    if figures.empty:
        print("no benchmarks/ yet: run `make demo` first")
    else:
        print("Per rule, demo cohort (Snakemake benchmark files):")
        print(figures.to_string())
    print(time_annotate(args.shared))
    return 0


if __name__ == "__main__":
    sys.exit(main())
