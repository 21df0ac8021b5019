"""Every output table's columns are declared once (allfuse.tables): the README says the same, and each
writer's header on a real pipeline run (the simulated cohort) is exactly its declared list."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from conftest import REPO

from allfuse.evaluate import evaluate
from allfuse.tables import (
    CALL_COLUMNS,
    CLASSIFICATION_KEYS,
    COHORT_COLUMNS,
    COHORT_PAGE_COLUMNS,
    EVAL_COLUMNS,
    EXCLUDED_COLUMNS,
    FUSIONS_COLUMNS,
    GROUPING_MATCH_COLUMNS,
    LOGRANK_COLUMNS,
    ORIG_PREFIX,
    QC_COLUMNS,
    READ_CHECK_COLUMNS,
    SIDES,
    SURVIVAL_SUMMARY_COLUMNS,
)


def header(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return fh.readline().rstrip("\n").split("\t")


def readme_fusions_columns() -> list[str]:
    """The README's prose list of fusions.tsv columns, expanded: a span of names separated by spaces,
    or a run of ``name_*`` spans that stand for each name with 5p, then each with 3p."""
    text = (REPO / "README.md").read_text()
    prose = text[text.index("`fusions.tsv` columns:") : text.index("(declared once in")]
    spans = re.findall(r"`([^`]+)`", " ".join(prose.split()))[1:]  # the first span names the file
    columns: list[str] = []
    starred: list[str] = []
    for span in [*spans, ""]:
        if span.endswith("_*"):
            starred.append(span.removesuffix("*"))
            continue
        columns += [f"{stem}{side}" for side in SIDES for stem in starred]
        starred = []
        columns += span.split()
    return columns


def test_readme_lists_the_declared_fusions_columns() -> None:
    assert readme_fusions_columns() == FUSIONS_COLUMNS


def test_subsets_name_declared_columns() -> None:
    """What the cohort page shows and what a survival grouping may match are cohort.tsv columns;
    the survival table the page shows is efs_by_<by>.tsv's."""
    assert set(COHORT_PAGE_COLUMNS) <= set(COHORT_COLUMNS)
    assert set(GROUPING_MATCH_COLUMNS) <= set(COHORT_COLUMNS)
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    rule = schema["properties"]["survival"]["properties"]["groupings"]["additionalProperties"]["items"]
    keys = list(rule["properties"])
    assert keys == ["label", *GROUPING_MATCH_COLUMNS]


def test_writers_headers_are_the_declared_lists(sim_run: Path) -> None:
    results = sim_run / "results"
    samples = sorted(p.name for p in results.iterdir() if (p / "fusions.tsv").is_file())
    assert samples
    for sample in samples:
        sdir = results / sample
        assert header(sdir / "fusions.tsv") == FUSIONS_COLUMNS
        assert header(sdir / "qc.tsv") == QC_COLUMNS
        assert header(sdir / "reads_check.tsv") == READ_CHECK_COLUMNS
        assert list(json.loads((sdir / "classification.json").read_text())) == CLASSIFICATION_KEYS
        calls = sorted((sdir / "calls").glob("*.tsv"))
        assert calls
        for table in calls:
            cols = header(table)
            assert cols[: len(CALL_COLUMNS)] == CALL_COLUMNS
            assert all(c.startswith(ORIG_PREFIX) for c in cols[len(CALL_COLUMNS) :]), table
    assert header(results / "cohort.tsv") == COHORT_COLUMNS
    survival = results / "survival"
    summaries = sorted(survival.glob("efs_by_*.tsv"))
    assert summaries
    for summary in summaries:
        assert header(summary) == [c.format(endpoint="efs") for c in SURVIVAL_SUMMARY_COLUMNS]
    assert header(survival / "logrank.tsv") == LOGRANK_COLUMNS
    assert header(survival / "excluded.tsv") == EXCLUDED_COLUMNS
    found, _ = evaluate(sim_run / "sim" / "truth.tsv", results)
    assert list(found.columns) == EVAL_COLUMNS and len(found)
