"""Every fusion caller allfuse knows, each defined once.

``allfuse annotate`` (its ``--<caller>`` options, which parser reads which file, which files must be
plain text), the workflow (the file each caller's rule writes and the annotate rule reads, and the
options it passes), provenance (the tools whose versions a run records) and the config schema's
``callers`` enum (checked by the tests) all come from :data:`CALLERS`. A new caller is one entry
here, one parser module in this package, one rule in ``workflow/rules/callers.smk`` and one env.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the parsers (pandas) are imported when a file is parsed: provenance reads only names
    import pandas as pd

    from allfuse.gtf import Annotation

#: (path, sample, annotation, annotate settings) -> the caller's calls in the declared schema.
Parser = Callable[[Path, str, "Annotation", Any], "pd.DataFrame"]


def _parser(name: str) -> ModuleType:
    """The parser module ``allfuse.callers.<name>``, imported on first use."""
    return importlib.import_module(f"allfuse.callers.{name}")


#: (tool name, version command) of a tool the pipeline runs.
Tool = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Caller:
    """One fusion caller: how its file is read, and (for pipeline callers) what its rule writes."""

    #: the caller's name: config ``callers`` entry, ``calls/<name>.tsv``, ``--<name>`` (``_`` as ``-``).
    name: str
    #: reads the caller's file into the calls schema.
    parse: Parser
    #: the file the pipeline's rule writes (``{sample}`` in it), read by the annotate rule; None for
    #: a caller that only runs elsewhere (its output is given to ``allfuse annotate`` by hand).
    output: str | None = None
    #: further files of the rule the annotate rule depends on (input name -> path with ``{sample}``);
    #: they are read beside ``output``, not passed as options.
    extra_inputs: tuple[tuple[str, str], ...] = ()
    #: tools the pipeline runs for this caller, whose versions provenance.json records.
    tools: tuple[Tool, ...] = ()
    #: False: the file is read as text without the gzip-aware table reader, so a gzipped one is
    #: refused with a clear message instead of failing inside the parser.
    gzip_ok: bool = True

    @property
    def in_pipeline(self) -> bool:
        """Whether the workflow runs this caller (config ``callers`` may name it)."""
        return self.output is not None

    @property
    def option(self) -> str:
        """``allfuse annotate``'s option for this caller's file."""
        return "--" + self.name.replace("_", "-")

    def extra_inputs_of(self, sample: str) -> dict[str, str]:
        """:attr:`extra_inputs` of one sample."""
        return {key: path.format(sample=sample) for key, path in self.extra_inputs}


#: Every caller, in the order of the per-caller tables and of ``allfuse annotate``'s options.
CALLERS: tuple[Caller, ...] = (
    Caller(
        "star_chimeric",
        lambda path, sample, ann, settings: _parser("star_chimeric").parse(
            path, sample, ann, settings.thresholds
        ),
        output="results/{sample}/star/Chimeric.out.junction",
        gzip_ok=False,
    ),
    Caller(
        "pizzly",
        lambda path, sample, ann, settings: _parser("pizzly").parse(path, sample, ann),
        output="results/{sample}/pizzly/{sample}.json",
        # read beside pizzly's JSON to count read pairs per orientation
        extra_inputs=(("pizzly_fasta", "results/{sample}/pizzly/{sample}.fusions.fasta"),),
        tools=(("kallisto", ("kallisto", "version")), ("pizzly", ("pizzly", "--version"))),
        gzip_ok=False,
    ),
    Caller(
        "arriba",
        lambda path, sample, ann, settings: _parser("arriba").parse(path, sample),
        output="results/{sample}/arriba/fusions.tsv",
        tools=(("Arriba", ("arriba", "-h")),),
    ),
    Caller(
        "starfusion",
        lambda path, sample, ann, settings: _parser("starfusion").parse(path, sample),
        output="results/{sample}/starfusion/star-fusion.fusion_predictions.abridged.tsv",
        tools=(("STAR-Fusion", ("STAR-Fusion", "--version")),),
    ),
    Caller("fusioncatcher", lambda path, sample, ann, settings: _parser("fusioncatcher").parse(path, sample)),
    # STAR-Fusion's family layout, under its own caller name
    Caller(
        "fusioninspector",
        lambda path, sample, ann, settings: _parser("starfusion").parse(
            path, sample, caller="fusioninspector"
        ),
    ),
)

#: Tools every pipeline run uses whichever callers it names (alignment, BAM index).
PIPELINE_TOOLS: tuple[Tool, ...] = (("STAR", ("STAR", "--version")), ("samtools", ("samtools", "--version")))

BY_NAME: dict[str, Caller] = {c.name: c for c in CALLERS}
#: Names of the callers the workflow runs: the config schema's ``callers`` enum.
PIPELINE_CALLERS: tuple[str, ...] = tuple(c.name for c in CALLERS if c.in_pipeline)


def caller(name: str) -> Caller:
    """The registry entry of ``name``; a name allfuse does not know is a programming error."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown caller {name!r} (known: {', '.join(BY_NAME)})") from None
