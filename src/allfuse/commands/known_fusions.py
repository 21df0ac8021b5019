"""``allfuse known-fusions``: Arriba's known-fusions file from allfuse's defining gene pairs."""

from __future__ import annotations

import argparse

from allfuse.known_fusions import write_known_fusions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="known-fusions file to write (Arriba -k and -t)")
    parser.add_argument(
        "--add", action="append", default=[], help="a user's known-fusions file, copied first"
    )


def run(args: argparse.Namespace) -> int:
    n = write_known_fusions(args.out, args.add)
    print(f"wrote {args.out}: {n} allfuse gene pairs" + (f" after {', '.join(args.add)}" if args.add else ""))
    return 0
