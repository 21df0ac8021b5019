"""``allfuse annotate``: from caller outputs made anywhere to allfuse's per-sample results.

The Snakemake workflow calls this same command, so outputs of nf-core/rnafusion or of a cluster
run get exactly the post-processing the pipeline gives its own calls: per-caller tables in one
schema, events merged at breakpoint level, exons on the canonical transcripts, reading frame, and
the sample's molecular group. Everything is computed before anything is written, so a bad input
leaves no partial results behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allfuse import classify, exons, frame
from allfuse.annotation_index import load_annotation
from allfuse.artefacts import flag_artefacts
from allfuse.callers import registry, star_chimeric
from allfuse.calls import empty_calls
from allfuse.compression import MAGIC
from allfuse.errors import InputError
from allfuse.expression import NUTM1_FLAG, nutm1_check, read_expression
from allfuse.gtf import Annotation, strip_version
from allfuse.io import write_json, write_tsv
from allfuse.merge import MergeSettings, load_tier_rules, merge_calls
from allfuse.qc import read_qc
from allfuse.resources import Resources, load_resources
from allfuse.status import NOT_ASSESSABLE, qc_failed_status
from allfuse.tables import FUSIONS_COLUMNS, SIDES


@dataclass(frozen=True)
class AnnotateSettings:
    thresholds: star_chimeric.Thresholds = field(default_factory=star_chimeric.Thresholds)
    merge: MergeSettings = field(default_factory=MergeSettings)
    resources: Path | None = None
    #: 'error' (the command's default) or 'not-assessable' (the pipeline's: the sample is reported
    #: not assessable, the cohort run goes on) for a 0-byte or blank caller file.
    on_empty: str = "error"
    #: NUTM1 TPM at or above which a sample with no NUTM1 fusion called is flagged (config
    #: expression.nutm1_tpm_threshold; its default is the schema's).
    nutm1_tpm_threshold: float = 10.0


def empty_reason(caller: str, path: Path) -> str:
    """Why a caller file cannot be read as a result ('' when it can); InputError for a wrong file.

    A 0-byte or blank file is what a crashed caller leaves: a caller that found nothing still writes
    its header (or ``{"genes": []}``), so an empty file must never read as 'no fusion'.
    """
    if not path.is_file():
        raise InputError(f"{path}: {caller} output not found")
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head:
        return f"{caller} output {path} is empty (0 bytes)"
    if head.startswith(MAGIC["gzip"]):
        if not registry.caller(caller).gzip_ok:
            raise InputError(f"{path}: {caller} output is gzip-compressed; give the uncompressed file")
        return ""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            raise InputError(f"{path}: {caller} output is not a text file (binary content)") from None
    if b"\x00" in head:
        raise InputError(f"{path}: {caller} output is not a text file (NUL bytes)")
    if not head.strip():
        return f"{caller} output {path} is blank (whitespace only)"
    return ""


def parse_caller(
    caller: str, path: Path, sample: str, ann: Annotation, settings: AnnotateSettings
) -> pd.DataFrame:
    """One caller's file in the declared calls schema (the caller's parser in the registry)."""
    return registry.caller(caller).parse(path, sample, ann, settings)


def annotate_sample(
    sample: str,
    inputs: dict[str, Path],
    gtf: Path,
    settings: AnnotateSettings,
    qc: Path | None = None,
    index_dir: Path | None = None,
    expression: Path | None = None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, Any]]:
    """Per-caller calls, merged and annotated events, and the sample's classification.

    A sample whose caller left an empty file is ``not assessable``; so is one that failed QC
    (``qc``) unless its driver is of the highest confidence tier (allfuse.status.qc_failed_status).
    Its events are still written, its classification names the reason. With ``index_dir`` the GTF's
    cached index there is read (and built if missing) instead of parsing the GTF. With
    ``expression`` (the sample's expression.tsv) NUTM1 expressed with no NUTM1 fusion called adds
    the flag and its caveat (the status is kept).
    """
    if not inputs:
        options = ", ".join(c.option for c in registry.CALLERS)
        raise InputError(f"sample {sample}: no caller output given (use one or more of {options})")
    qc_reason = ""
    if qc is not None:
        row = read_qc(qc)
        if str(row["qc_pass"]).lower() != "true":
            qc_reason = str(row["qc_reason"])
    reasons = []
    usable = {}
    for caller, p in inputs.items():
        why = empty_reason(caller, Path(p))
        if why and settings.on_empty == "error":
            raise InputError(
                f"{why}: a crashed caller leaves this (a caller that found nothing writes its header)"
            )
        if why:
            reasons.append(why)
        else:
            usable[caller] = Path(p)
    ann = load_annotation(gtf, index_dir)
    calls = {caller: parse_caller(caller, p, sample, ann, settings) for caller, p in usable.items()}
    nonempty = [c for c in calls.values() if not c.empty]
    merged_input = pd.concat(nonempty, ignore_index=True) if nonempty else empty_calls()
    events = merge_calls(merged_input, sample, ann, settings.merge, load_tier_rules(settings.resources))
    events, classification = _annotate_and_classify(sample, events, ann, settings)
    if reasons:  # a crashed caller: nothing it would have said is known
        qc_part = [f"QC: {qc_reason}"] if qc_reason else []
        classification = classify.not_assessable(sample, "; ".join(qc_part + reasons))
    elif qc_reason:
        status, why = qc_failed_status(str(classification.get("driver_tier", "")), qc_reason)
        if status == NOT_ASSESSABLE:
            classification = classify.not_assessable(sample, why)
        else:
            classification = {**classification, "status": status, "status_reason": why}
    if expression is not None:
        classification = add_nutm1_check(
            classification, read_expression(expression), events, settings.nutm1_tpm_threshold
        )
    return calls, events, classification


def add_nutm1_check(
    classification: dict[str, Any], expression: pd.DataFrame, events: pd.DataFrame, threshold: float
) -> dict[str, Any]:
    """The classification with the sample's NUTM1 TPM, and, where NUTM1 is expressed with no NUTM1
    fusion called, the flag and its caveat; status, group and driver are never changed by it."""
    check = nutm1_check(expression, events, threshold)
    out = dict(classification)
    out["nutm1_tpm"] = "" if check.tpm is None else round(check.tpm, 3)
    if check.flag:
        out["flags"] = [*[f for f in out.get("flags") or [] if f != NUTM1_FLAG], NUTM1_FLAG]
        out["caveats"] = [*(out.get("caveats") or []), check.caveat]
    return out


def identify_genes(events: pd.DataFrame, ann: Annotation, res: Resources) -> pd.DataFrame:
    """Give each partner its HGNC id, and a symbol where the GTF has no gene names.

    Classification matches genes by identity, so a GTF without ``gene_name`` (names are then the
    Ensembl ids) or with other symbols gives the same group; the event is then named by the gene's
    approved symbol instead of ``ENSG...::ENSG...``.
    """
    out = events.copy()
    for side in SIDES:
        ids = out[f"gene_id_{side}"].astype(str).tolist()
        names = out[f"gene_{side}"].astype(str).tolist()
        hgnc = [ann.hgnc_by_gene_id.get(strip_version(i), "") for i in ids]
        symbols = [res.identify(i, n, h) for i, n, h in zip(ids, names, hgnc, strict=True)]
        out[f"hgnc_id_{side}"] = [h or res.hgnc_id(s) or "." for h, s in zip(hgnc, symbols, strict=True)]
        unnamed = [n == i or n.upper().startswith("ENSG") for n, i in zip(names, ids, strict=True)]
        out[f"gene_{side}"] = [s if u else n for s, u, n in zip(symbols, unnamed, names, strict=True)]
    if len(out):
        out["fusion"] = out["gene_5p"].astype(str) + "::" + out["gene_3p"].astype(str)
    return out


def _annotate_and_classify(
    sample: str, events: pd.DataFrame, ann: Annotation, settings: AnnotateSettings
) -> tuple[pd.DataFrame, dict[str, Any]]:
    res = load_resources(settings.resources)
    events = identify_genes(events, ann, res)
    events = exons.annotate_exons(events, ann, res)
    events = frame.reading_frame(events, ann)
    events["category"] = classify.category_column(events, res)
    events = flag_artefacts(events)
    events = events[FUSIONS_COLUMNS + [c for c in events.columns if c not in FUSIONS_COLUMNS]]
    return events, classify.classify_sample(sample, events, res)


def write_outputs(
    outdir: Path,
    calls: dict[str, pd.DataFrame],
    events: pd.DataFrame,
    classification: dict,
    callers: list[str] | None = None,
) -> None:
    """Tables first, classification.json last: it is the file that says the sample is done.

    A caller in ``callers`` whose file was unusable (empty) gets a calls table with no rows; the
    classification says why the sample is not assessable.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    for caller in callers or list(calls):
        write_tsv(calls.get(caller, empty_calls()), outdir / "calls" / f"{caller}.tsv")
    write_tsv(events, outdir / "fusions.tsv")
    write_json(outdir / "classification.json", classification, indent=2, default=str)
