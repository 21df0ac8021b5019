"""Time pizzly read assignment on a large gene record: prints seconds per 1000 read pairs.

Usage: bench_pizzly_support.py PREFIX.json PIZZLY_GTF [COPIES]

The gene records' read pairs are repeated COPIES times (renamed) into a temporary JSON beside a copy
of PREFIX.fusions.fasta, as a highly expressed fusion would give, and parsed as the pipeline does.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from allfuse.callers.pizzly import fused_fasta_of, parse
from allfuse.gtf import Annotation


def main() -> None:
    src, gtf = Path(sys.argv[1]), Path(sys.argv[2])
    copies = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    data = json.loads(src.read_text())
    n = 0
    for gene in data["genes"]:
        pairs = gene["readpairs"]
        gene["readpairs"] = [
            {**rp, "read1": {**rp["read1"], "name": f"{rp['read1']['name']}#{c}"}}
            for c in range(copies)
            for rp in pairs
        ]
        n += len(gene["readpairs"])
    ann = Annotation.from_gtf(gtf)
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.json"
        big.write_text(json.dumps(data))
        shutil.copy(fused_fasta_of(src), fused_fasta_of(big))
        t0 = time.perf_counter()
        calls = parse(big, "BENCH", ann)
        dt = time.perf_counter() - t0
    records = sum(len(g["transcripts"]) for g in data["genes"])
    print(
        f"{n} read pairs x {records} transcript pairs: {dt:.2f} s ({1000 * dt / max(n, 1):.2f} s per 1000 pairs)"
    )
    print(calls[["fusion", "junction_reads", "spanning_frags"]].to_string(index=False))


if __name__ == "__main__":
    main()
