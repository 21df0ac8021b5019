"""The caller registry is the one definition of a caller: everything else reads it.

Checked by behaviour: annotate's parser and dispatch, the workflow's inputs and options (the
workflow loaded as Snakemake loads it), provenance's tools, and the config schema's enum.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO

from allfuse import annotate
from allfuse.callers import registry
from allfuse.commands import annotate as annotate_command
from allfuse.errors import InputError
from allfuse.report import provenance

PIPELINE = [c for c in registry.CALLERS if c.in_pipeline]
#: annotate's options that name no caller file.
NON_CALLER_OPTIONS = {
    "-h", "--help", "--sample", "--gtf", "--outdir", "--config", "--min-junction-reads",
    "--min-total-support", "--merge-distance", "--qc", "--on-empty-caller", "--resources", "--index-dir",
    "--expression", "--nutm1-tpm-threshold",
}  # fmt: skip


def test_registry_entries_are_well_formed() -> None:
    names = [c.name for c in registry.CALLERS]
    assert len(set(names)) == len(names)
    assert registry.PIPELINE_CALLERS == tuple(c.name for c in PIPELINE)
    for c in registry.CALLERS:
        assert re.fullmatch(r"[a-z][a-z_]*", c.name), c.name
        assert registry.caller(c.name) is c
        if c.in_pipeline:
            assert "{sample}" in c.output
        else:  # a caller that only runs elsewhere has no rule, so nothing to depend on or version
            assert not c.extra_inputs and not c.tools


def test_annotate_options_are_the_registry_callers() -> None:
    parser = argparse.ArgumentParser()
    annotate_command.add_arguments(parser)
    caller_actions = [a for a in parser._actions if not set(a.option_strings) & NON_CALLER_OPTIONS]
    assert [a.option_strings for a in caller_actions] == [[c.option] for c in registry.CALLERS]
    assert [a.dest for a in caller_actions] == [c.name for c in registry.CALLERS]
    args = parser.parse_args(
        [
            "--sample",
            "S",
            "--gtf",
            "g",
            "--outdir",
            "o",
            *(x for c in registry.CALLERS for x in (c.option, c.name)),
        ]
    )
    assert {c.name: getattr(args, c.name) for c in registry.CALLERS} == {
        c.name: Path(c.name) for c in registry.CALLERS
    }


def test_annotate_dispatches_to_the_registry_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    for c in registry.CALLERS:

        def fake(path, sample, ann, settings, name=c.name):
            seen.append((name, path, sample, ann, settings))
            return pd.DataFrame({"caller": [name]})

        monkeypatch.setitem(registry.BY_NAME, c.name, dataclasses.replace(c, parse=fake))
    settings = annotate.AnnotateSettings()
    for c in registry.CALLERS:
        out = annotate.parse_caller(c.name, Path("x"), "S", "ann", settings)
        assert list(out.caller) == [c.name]
    assert seen == [(c.name, Path("x"), "S", "ann", settings) for c in registry.CALLERS]


def test_gzip_is_refused_exactly_for_plain_only_callers(tmp_path: Path) -> None:
    gz = tmp_path / "calls.gz"
    gz.write_bytes(gzip.compress(b"a\tb\n1\t2\n"))
    for c in registry.CALLERS:
        if c.gzip_ok:
            assert annotate.empty_reason(c.name, gz) == ""
        else:
            with pytest.raises(InputError, match="gzip-compressed"):
                annotate.empty_reason(c.name, gz)


def test_no_caller_message_names_every_option() -> None:
    with pytest.raises(InputError) as exc:
        annotate.annotate_sample("S", {}, Path("genes.gtf"), annotate.AnnotateSettings())
    for c in registry.CALLERS:
        assert c.option in str(exc.value)


def test_provenance_asks_the_registry_tools(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    asked = []
    monkeypatch.setattr(provenance, "tool_version", lambda cmd: asked.append(tuple(cmd)) or "1.0")
    fasta, gtf = tmp_path / "g.fa", tmp_path / "g.gtf"
    fasta.write_text(">c\nA\n")
    gtf.write_text("")
    for c in registry.CALLERS:
        asked.clear()
        data = provenance.provenance(fasta, gtf, [c.name], {})
        expected = [*registry.PIPELINE_TOOLS, *c.tools]
        assert asked == [cmd for _, cmd in expected], c.name
        assert sorted(data["tools"]) == sorted(name for name, _ in expected), c.name


def test_schema_enum_is_the_pipeline_callers() -> None:
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    assert schema["properties"]["callers"]["items"]["enum"] == list(registry.PIPELINE_CALLERS)


@pytest.fixture(scope="module")
def workflow_globals() -> tuple[dict, dict]:
    """The workflow as Snakemake loads it (as `snakemake --lint` does: no file is read but the
    sheet), with every pipeline caller configured: its Python globals and rules' outputs."""
    from snakemake.api import SnakemakeApi
    from snakemake.io import strip_wildcard_constraints
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings, StorageSettings

    configfile = REPO / "config" / "config.yaml"
    with SnakemakeApi(OutputSettings(quiet=True)) as api:
        wf = api.workflow(
            resource_settings=ResourceSettings(),
            config_settings=ConfigSettings(
                configfiles=[configfile], config={"callers": list(registry.PIPELINE_CALLERS)}
            ),
            storage_settings=StorageSettings(),
            snakefile=REPO / "Snakefile",
            workdir=REPO,
        )
        workflow = wf._get_workflow(check_envvars=False)
        workflow.include(REPO / "Snakefile", overwrite_default_target=True, print_compilation=False)
        outputs = {
            strip_wildcard_constraints(str(f)): rule.name for rule in workflow.rules for f in rule.output
        }
        return dict(workflow.globals), {
            "outputs": outputs,
            "constraints": dict(workflow.wildcard_constraints),
        }


def test_workflow_reads_each_callers_registry_output(workflow_globals: tuple[dict, dict]) -> None:
    g, wf = workflow_globals
    assert g["CALLER_OUTPUT"] == {c.name: c.output for c in PIPELINE}
    inputs = g["CALLER_INPUTS"]  # wildcard patterns: nothing is called per job while planning
    expected = {c.name: c.output for c in PIPELINE}
    for c in PIPELINE:
        expected |= c.extra_inputs_of("{sample}")
    assert inputs == expected
    assert g["CALLER_OPTIONS"].split() == [x for c in PIPELINE for x in (c.option, f"{{input.{c.name}:q}}")]
    # each of those files is what some rule writes
    for c in PIPELINE:
        for path in [c.output, *(p for _, p in c.extra_inputs)]:
            assert path in wf["outputs"], f"{c.name}: no rule writes {path}"


def test_caller_wildcard_admits_pipeline_callers_only(workflow_globals: tuple[dict, dict]) -> None:
    _, wf = workflow_globals
    pattern = re.compile(wf["constraints"]["caller"])
    for c in registry.CALLERS:
        assert bool(pattern.fullmatch(c.name)) == c.in_pipeline, c.name


def test_sample_wildcard_is_the_sheets_sample_id_pattern(workflow_globals: tuple[dict, dict]) -> None:
    """One pattern for a sample ID: the sheet's schema, which the workflow's constraint reads."""
    _, wf = workflow_globals
    assert wf["constraints"]["sample"] == "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
    pattern = re.compile(wf["constraints"]["sample"])
    assert pattern.fullmatch("INF01_R.2-b") and not pattern.fullmatch("_x") and not pattern.fullmatch("a/b")
