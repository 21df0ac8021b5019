"""The alignment job's two reads-check steps (not user subcommands): ``feed``, STAR's
``--readFilesCommand`` (allfuse.fastq_stream: the stdlib and isal only, so it starts fast twice per sample), and
``verify``, both mates' summaries compared after STAR and reads_check.tsv written (no pandas
either: it is on the job's path after STAR; only a failing sample imports allfuse.reads to word
its fault).
"""

from __future__ import annotations

import sys
from pathlib import Path

from allfuse.fastq_stream import feed, verify

USAGE = """usage (steps of the alignment job, not user commands):
  python -m allfuse.commands.read_stream feed SAMPLE FILE     STAR's --readFilesCommand (STAR appends FILE)
  python -m allfuse.commands.read_stream verify SAMPLE FQ1 FQ2 LINK_DIR OUT
      both mates' summaries compared, then reads_check.tsv written (exit 1: the reads' problem,
      one line; exit 3: STAR did not read them to the end, its own failure)"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 3 and args[0] == "feed":
        return feed(args[1], Path(args[2]))
    if len(args) == 6 and args[0] == "verify":
        return verify(*args[1:])
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
