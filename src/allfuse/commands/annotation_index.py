"""``allfuse annotation-index``: parse the GTF once per run into the index every sample's annotate reads."""

from __future__ import annotations

import argparse
from pathlib import Path

from allfuse.annotation_index import ensure_index
from allfuse.io import write_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gtf", required=True, help="GTF that allfuse annotate will be given")
    parser.add_argument(
        "--index-dir",
        required=True,
        type=Path,
        help="folder of the indexes, keyed by the GTF's sha256 (the pipeline: {work_dir}/.allfuse/annotation)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="also write a JSON naming the GTF, its sha256 and the index"
    )


def run(args: argparse.Namespace) -> int:
    path, ann = ensure_index(args.gtf, args.index_dir)
    counts = {name: len(getattr(ann, name)) for name in ("genes", "transcripts", "exons", "cds")}
    if args.out:
        record = {"gtf": str(args.gtf), "sha256": path.stem, "index": str(path), **counts}
        write_json(args.out, record, indent=2)
    shown = ", ".join(f"{n} {name}" for name, n in counts.items())
    print(f"{args.gtf}: annotation index {path} ({shown})")
    return 0
