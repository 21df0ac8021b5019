"""Curated tables in the repository's ``resources/`` directory, loaded with declared columns.

Classification and exon numbering depend on facts (canonical transcripts, gene names, KMT2A partners,
subtype rules) that change with the literature; keeping them as sourced TSV files rather than code lets
them be reviewed and updated without touching the logic.

Gene names are resolved through HGNC ids, never by plain string matching: a name is looked up in
``gene_aliases.tsv`` and the gene's current approved symbol is returned. When one name belongs to
several genes, an approved symbol beats a previous symbol, which beats an alias ('SEPT2' is the previous
symbol of SEPTIN2 and only an alias of SEPTIN6); a name still ambiguous after that is left unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from allfuse.datafiles import data_dir
from allfuse.errors import InputError
from allfuse.gtf import strip_version
from allfuse.io import read_table

CANONICAL_COLUMNS = ["gene", "hgnc_id", "refseq", "ensembl", "ensembl_gene", "exon_count", "source"]
ALIAS_COLUMNS = ["symbol", "hgnc_id", "name", "name_type", "source"]
PARTNER_COLUMNS = ["symbol", "hgnc_id", "aliases", "frequency", "source"]
RULE_COLUMNS = [
    "rule_id",
    "subtype",  # subtype the rule defines, or 'none' for a flag-only rule (KMT2A-PTD)
    "group_effect",  # 'KMT2A-r' when a match puts the sample in the KMT2A-r group, else 'none'
    "gene_5p",  # symbol, '*' (any gene), a set name (KMT2A_PARTNERS) or symbols joined by '|'
    "gene_3p",
    "partner_side",  # which side names the partner: '5p', '3p' or '.' (fixed pair, no partner)
    "priority",  # larger wins, both between rules matching one event and between events
    "also_flag",  # extra flag a match adds (e.g. 'JAK-STAT/Ph-like'), '' if none
    "source",
]
MANE_EXON_COLUMNS = [
    "gene",
    "refseq",
    "ensembl",
    "exon",
    "chrom",
    "start_1based",
    "end",
    "strand",
    "length",
    "cds_start_phase",
    "cds_end_phase",
    "source",
]

#: Gene-set names a rule may use in gene_5p/gene_3p.
GENE_SETS = ("KMT2A_PARTNERS",)
ANY_GENE = "*"
_NAME_RANK = {"approved": 0, "previous": 1, "alias": 2}


def resources_dir(root: str | Path | None = None) -> Path:
    """The shipped fact tables (the checkout's ``resources/`` or the wheel's copy), or ``root``."""
    return Path(root) if root is not None else data_dir("resources")


def read_resource_table(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a resource TSV as strings and insist on its declared columns, so typos fail loudly."""
    df = read_table(path, "resource table")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    return df[columns + [c for c in df.columns if c not in columns]]


@dataclass
class Resources:
    """All curated tables, plus the name-resolution index built from ``aliases``."""

    canonical: pd.DataFrame
    aliases: pd.DataFrame
    kmt2a_partners: pd.DataFrame
    subtype_rules: pd.DataFrame
    mane_exons: pd.DataFrame
    root: Path = field(default_factory=resources_dir)

    def __post_init__(self) -> None:
        self._index = _name_index(self.aliases)
        self._canonical_by_gene = {r.gene: r for r in self.canonical.itertuples(index=False)}
        ranked = self.aliases.assign(_rank=self.aliases["name_type"].map(_NAME_RANK).fillna(3))
        ranked = ranked.sort_values("_rank", kind="stable")
        self._names = {str(s): list(g["name"]) for s, g in ranked.groupby("symbol", sort=False)}
        # Gene identity without names: Ensembl gene ids of the canonical table, HGNC ids of all tables.
        self._by_ensembl_gene = {
            strip_version(r.ensembl_gene): r.gene
            for r in self.canonical.itertuples(index=False)
            if r.ensembl_gene
        }
        approved = self.aliases[self.aliases["name_type"] == "approved"]
        self._by_hgnc = {
            **dict(zip(approved["hgnc_id"], approved["symbol"], strict=True)),
            **dict(zip(self.kmt2a_partners["hgnc_id"], self.kmt2a_partners["symbol"], strict=True)),
            **dict(zip(self.canonical["hgnc_id"], self.canonical["gene"], strict=True)),
        }
        self._by_hgnc.pop("", None)
        self._hgnc_of = {sym: hid for hid, sym in self._by_hgnc.items()}

    def resolve_symbol(self, symbol: str) -> str:
        """Current approved symbol for any approved/previous/alias name (case-insensitive).

        Unknown or ambiguous names come back unchanged, so a caller's name is never replaced by a guess.
        """
        if not isinstance(symbol, str) or not symbol:
            return symbol
        return self._index.get(symbol.strip().upper(), symbol)

    def identify(self, gene_id: object = "", name: object = "", hgnc_id: object = "") -> str:
        """The gene's current approved symbol, by identity before spelling.

        An HGNC id (GENCODE GTFs carry one) or an Ensembl gene id of the canonical table decides
        first, so a GTF without ``gene_name`` (or with other symbols) names the same gene; only then
        the name, resolved through aliases. Unknown genes come back as their name (or id).
        """
        hid = str(hgnc_id or "").strip()
        if hid in self._by_hgnc:
            return self._by_hgnc[hid]
        gid = str(gene_id or "").strip()
        for part in gid.split(","):  # a caller may list several ids
            base = strip_version(part.strip())
            if base in self._by_ensembl_gene:
                return self._by_ensembl_gene[base]
        text = str(name or "").strip()
        return self.resolve_symbol(text) if text and text != "." else (gid or text)

    def hgnc_id(self, symbol: str) -> str:
        """HGNC id of a current symbol ('' when the tables do not know it)."""
        return self._hgnc_of.get(self.resolve_symbol(symbol), "")

    def names_of(self, symbol: str) -> list[str]:
        """Every name (approved first) of the gene ``symbol`` resolves to; for finding it in older GTFs."""
        current = self.resolve_symbol(symbol)
        # a name that resolves to another gene (SEPT2 -> SEPTIN2) would find the wrong gene
        names = [current] + [n for n in self._names.get(current, []) if self.resolve_symbol(n) == current]
        return list(dict.fromkeys(names))

    def canonical_transcript(self, symbol: str) -> str | None:
        """Ensembl ID (with version) of the gene's canonical (MANE Select) transcript, if curated."""
        row = self._canonical_by_gene.get(self.resolve_symbol(symbol))
        return row.ensembl if row is not None else None

    def gene_set(self, name: str) -> frozenset[str]:
        """Members of a named gene set used by subtype rules."""
        if name == "KMT2A_PARTNERS":
            return frozenset(self.kmt2a_partners["symbol"])
        raise InputError(f"subtype_rules.tsv: unknown gene set {name!r}")

    def rule_genes(self, spec: str) -> frozenset[str] | None:
        """Genes a rule field matches: None for '*', else a set (expanding set names and '|' lists)."""
        if spec == ANY_GENE:
            return None
        out: set[str] = set()
        for part in spec.split("|"):
            out |= self.gene_set(part) if part in GENE_SETS else {self.resolve_symbol(part)}
        return frozenset(out)


def _name_index(aliases: pd.DataFrame) -> dict[str, str]:
    """Upper-cased name -> current symbol, keeping only names that resolve to one gene.

    Genes are told apart by HGNC id (or by symbol where a row has no id); among the genes carrying a
    name only those at the best name type (approved < previous < alias) compete.
    """
    df = aliases.assign(
        _key=aliases["name"].str.strip().str.upper(),
        _gene=aliases["hgnc_id"].where(aliases["hgnc_id"] != "", "symbol:" + aliases["symbol"]),
        _rank=aliases["name_type"].map(_NAME_RANK).fillna(3),
    )
    # whole-table operations (a loop over some thousand names' groups took most of a second)
    best = df[df["_rank"] == df.groupby("_key")["_rank"].transform("min")]
    genes = best.groupby("_key")["_gene"].nunique()
    first = best.drop_duplicates("_key").set_index("_key")["symbol"]
    return {str(key): str(first[key]) for key in genes.index[genes == 1]}


def load_resources(root: str | Path | None = None) -> Resources:
    """Load every curated table from ``root`` (default: the repository's ``resources/``)."""
    d = resources_dir(root)
    rules = read_resource_table(d / "subtype_rules.tsv", RULE_COLUMNS)
    rules["priority"] = pd.to_numeric(rules["priority"], errors="raise").astype(int)
    return Resources(
        canonical=read_resource_table(d / "canonical_transcripts.tsv", CANONICAL_COLUMNS),
        aliases=read_resource_table(d / "gene_aliases.tsv", ALIAS_COLUMNS),
        kmt2a_partners=read_resource_table(d / "kmt2a_partners.tsv", PARTNER_COLUMNS),
        subtype_rules=rules,
        mane_exons=read_resource_table(d / "mane_exons.tsv", MANE_EXON_COLUMNS),
        root=d,
    )


def resolve_symbol(symbol: str, res: Resources) -> str:
    """Current approved symbol of ``symbol`` (see :meth:`Resources.resolve_symbol`)."""
    return res.resolve_symbol(symbol)
