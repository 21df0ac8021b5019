"""Codes and settings put into words for the page: rule codes, flags, QC gates, the configuration.

Rule codes (``KMT2A_PARTNER``) are explained from ``resources/subtype_rules.tsv`` itself (its gene
columns, partner side, subtype and flag), so a rule added to the table is explained without code here.
The QC gates are the ones written into ``qc.tsv`` by ``allfuse qc`` (the thresholds the sample was
really held to), and of the configuration only the settings that shaped the result are shown open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from allfuse.expression import NUTM1_FLAG
from allfuse.resources import ANY_GENE, read_resource_table, resources_dir

RULE_COLUMNS = [
    "rule_id",
    "subtype",
    "group_effect",
    "gene_5p",
    "gene_3p",
    "partner_side",
    "also_flag",
    "source",
]
#: How the rule table's gene-set names read (resources.GENE_SETS).
GENE_SET_WORDS = {"KMT2A_PARTNERS": "a known KMT2A partner gene (resources/kmt2a_partners.tsv)"}
#: Flags in classification.json that are codes, in words; other flags (also_flag of the rule table:
#: 'KMT2A-PTD', 'JAK-STAT/Ph-like') are already words.
FLAG_WORDS = {NUTM1_FLAG: "NUTM1 expressed without a NUTM1 fusion"}


def _genes(spec: str) -> str:
    if spec == ANY_GENE:
        return "any gene"
    parts = [GENE_SET_WORDS.get(p, p) for p in spec.split("|")]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def rule_sentence(row: dict) -> str:
    """One rule of subtype_rules.tsv in words."""
    five, three = _genes(row["gene_5p"]), _genes(row["gene_3p"])
    text = f"{five} as the 5\u2032 gene fused to {three} as the 3\u2032 gene"
    subtype = row["subtype"]
    text += f" \u2192 subtype {subtype}" if subtype not in ("", "none") else " \u2192 no subtype"
    if row.get("group_effect") not in ("", "none", None) and row["group_effect"] != subtype:
        text += f", group {row['group_effect']}"
    side = {"5p": "5\u2032", "3p": "3\u2032"}.get(row.get("partner_side", ""))
    if side:
        text += f"; the partner named is the {side} gene"
    if row.get("also_flag"):
        text += f"; flagged {row['also_flag']}"
    return text[0].upper() + text[1:] + "."


def rule_words(rule_id: str, root: str | Path | None = None) -> tuple[str, str]:
    """(sentence, source) of a rule code; ('', '') when the code is not in the table."""
    if not rule_id:
        return "", ""
    table = read_resource_table(resources_dir(root) / "subtype_rules.tsv", RULE_COLUMNS)
    hit = table[table["rule_id"] == rule_id]
    if hit.empty:
        return "", ""
    row = hit.iloc[0].to_dict()
    return rule_sentence(row), row["source"]


def flag_words(flag: str) -> str:
    return FLAG_WORDS.get(flag, flag)


@dataclass(frozen=True)
class Gate:
    """One QC figure beside the gate it was held to."""

    name: str
    field: str
    value: str
    gate: str
    passed: bool | None  # None: no gate for this figure, or none recorded


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _count(x: float) -> str:
    return f"{int(x):,}"


def _pct(x: float) -> str:
    return f"{x:g} %"


def qc_gates(qc: dict[str, str]) -> list[Gate]:
    """Input read pairs and unique mapping beside their gates; chimeric reads (no gate) after them."""
    out = []
    for name, field, minimum, unit, fmt in (
        ("Input read pairs", "input_read_pairs", "min_input_pairs", " read pairs", _count),
        ("Uniquely mapped reads", "uniquely_mapped_pct", "min_uniquely_mapped_pct", "", _pct),
    ):
        value, gate = _number(qc.get(field, "")), _number(qc.get(minimum, ""))
        shown = "" if value is None else fmt(value)
        if gate is None:
            out.append(Gate(name, field, shown, "gate not recorded in qc.tsv", None))
        else:
            passed = value is not None and value >= gate
            out.append(Gate(name, field, shown, f"\u2265 {fmt(gate)}{unit}", passed))
    pct, reads = _number(qc.get("chimeric_pct", "")), _number(qc.get("chimeric_reads", ""))
    shown = "" if pct is None else _pct(pct) + (f" ({_count(reads)} reads)" if reads is not None else "")
    out.append(Gate("Chimeric reads", "chimeric_pct", shown, "no gate (reported for review)", None))
    return out


#: Config keys (dotted; a trailing '.' takes the whole section) that shape a sample's result: which
#: callers ran and on which build, how calls are merged and filtered, the QC gates, the expression
#: threshold and the primer settings. Everything else (paths, tool options, report layout) is kept
#: in the collapsed full listing.
SHAPING = (
    "reference.build",
    "callers",
    "merge.",
    "qc.",
    "star_chimeric.",
    "expression.",
    "primers.",
    "tiers.",
)


def _item(value: object) -> str:
    """One list item: a dict as 'label: key value, ...' (never Python's repr), else its text."""
    if isinstance(value, dict):
        label = value.get("label")
        rest = ", ".join(f"{k} {_item(v)}" for k, v in value.items() if k != "label")
        if label is None:
            return rest
        return f"{label}: {rest}" if rest else str(label)
    if isinstance(value, list):
        return ", ".join(_item(x) for x in value)
    return " ".join(str(value).split())


def flatten(config: object, prefix: str = "") -> list[tuple[str, list[str]]]:
    """(dotted key, lines) per setting; a list of scalars is one line, a list of dicts one line each."""
    if isinstance(config, dict):
        out: list[tuple[str, list[str]]] = []
        for k in sorted(config, key=str):
            out += flatten(config[k], f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(config, list):
        if any(isinstance(x, dict | list) for x in config):
            return [(prefix, [_item(x) for x in config])]
        return [(prefix, [", ".join(str(x) for x in config)])]
    return [(prefix, [_item(config)])]


def shaping(settings: Iterable[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """The settings that shaped the result, in SHAPING's order."""
    settings = list(settings)
    out = []
    for key in SHAPING:
        out += [(k, v) for k, v in settings if (k.startswith(key) if key.endswith(".") else k == key)]
    return out
