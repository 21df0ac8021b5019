"""``allfuse known-fusions``: the known-fusions file Arriba is given (``-k`` and ``-t``).

Arriba filters a fusion with few reads unless it is in this file, where it is rescued at lower
support. A defining fusion of an infant ALL (KMT2A with any of its partners, NUTM1-r, PAX5-r, ...)
must not be lost to that filter, so the file is written from allfuse's own facts: every gene pair of
``resources/subtype_rules.tsv`` with two named genes (KMT2A partners expanded from
``resources/kmt2a_partners.tsv``) and the named partners of the any-partner rules in
``resources/subtype_partners.tsv``. Both orders are written (a reciprocal product is kept too), and
the third column is the tag Arriba prints in its ``tags`` column (``allfuse:<subtype>``). A user's
own file (Arriba's database ``known_fusions_*.tsv.gz``) is copied first, line for line.
"""

from __future__ import annotations

from pathlib import Path

from allfuse.datafiles import resource_path
from allfuse.io import atomic_write, open_binary
from allfuse.resources import ANY_GENE, load_resources, read_resource_table

PARTNER_COLUMNS = ["gene_5p", "gene_3p", "subtype", "source"]


def allfuse_pairs() -> list[tuple[str, str, str]]:
    """(gene, gene, tag) for every defining pair allfuse knows, in a fixed order, each order once."""
    res = load_resources()
    pairs: list[tuple[str, str, str]] = []
    for rule in res.subtype_rules.itertuples(index=False):
        if ANY_GENE in (rule.gene_5p, rule.gene_3p) or rule.subtype in ("", "none"):
            continue
        for five in sorted(res.rule_genes(rule.gene_5p) or ()):
            for three in sorted(res.rule_genes(rule.gene_3p) or ()):
                if five != three:
                    pairs.append((five, three, f"allfuse:{rule.subtype}"))
    named = read_resource_table(resource_path("subtype_partners.tsv"), PARTNER_COLUMNS)
    pairs += [
        (r.gene_5p, r.gene_3p, f"allfuse:{r.subtype}") for r in named[PARTNER_COLUMNS].itertuples(index=False)
    ]
    out: dict[tuple[str, str], str] = {}
    for a, b, tag in pairs:
        out.setdefault((a, b), tag)
        out.setdefault((b, a), tag)
    return [(a, b, tag) for (a, b), tag in out.items()]


def write_known_fusions(out: str | Path, user_files: list[str | Path] = ()) -> int:
    """Write the user's files (plain or gzip) and then allfuse's pairs; return allfuse's line count."""
    pairs = allfuse_pairs()
    with atomic_write(out) as fh:
        for user in user_files:
            with open_binary(user, "arriba.known_fusions") as src:
                for raw in src:
                    fh.write(raw.decode("utf-8", "replace").rstrip("\r\n") + "\n")
        fh.write(
            "# allfuse: subtype-defining gene pairs (resources/subtype_rules.tsv, kmt2a_partners.tsv, subtype_partners.tsv)\n"
        )
        fh.writelines(f"{a}\t{b}\t{tag}\n" for a, b, tag in pairs)
    return len(pairs)
