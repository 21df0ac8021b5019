# Two commands do everything: `make demo` and `make test`. Both go through `make install`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
# What a minimal Debian 12 with python3 lacks: python3-venv (.venv), xz-utils (the HAMLET test genome),
# bzip2 and zstd (the tests feed FASTQs in those compressions to the reads check); the aligner and
# callers the pipeline runs; chromium: the tests open every HTML report headless and check it makes
# no network request.
APT_PACKAGES := python3-venv xz-utils bzip2 zstd rna-star samtools kallisto pizzly chromium
# The commands those packages provide; apt runs only when one is missing (or python3 has no venv).
TOOLS := xz bzip2 zstd STAR samtools kallisto pizzly chromium
# Arriba and STAR-Fusion sources (make callers); CI and developers have ../shared/tools beside the clone.
CALLER_SRC ?= $(abspath $(CURDIR)/../shared/tools)
# make demo CALLERS=all runs all four callers (Arriba and STAR-Fusion built by make callers).
CALLERS ?=
ALL_CALLERS := [star_chimeric,pizzly,arriba,starfusion]
# Rules find STAR and the callers on PATH: the venv's Python first, then the callers built here.
RUN_PATH := $(CURDIR)/$(BIN):$(CURDIR)/.tools/bin:$$PATH
# The venv's interpreter: Debian's python3 where there is one (make PYTHON=... for another). Debian
# builds CPython with profile-guided and link-time optimisation; a pyenv build without
# --enable-optimizations, first on PATH on the development machines, made Snakemake plan 1,000
# samples about a quarter slower (README "Speed"). The stamp names it, so a venv made with another
# interpreter is made again.
# (Expanded once: apt may install /usr/bin/python3 while make runs.)
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(wildcard /usr/bin/python3) python3)
endif
INSTALLED := $(VENV)/.installed-$(subst /,_,$(PYTHON))

.PHONY: install apt venv install-slurm demo test lint clean callers callers-if-present

# A one-node SLURM for tests/test_slurm.py (scripts/slurm-local.sh): the daemons, the client commands
# and munge. apt runs only when slurmctld is missing.
SLURM_PACKAGES := slurmctld slurmd slurm-client munge

install: apt venv

apt:
	@missing=""; for t in $(TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages ($(APT_PACKAGES)) for:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

venv: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Made again when the simulator changes (a demo/ from an older version lacks its newer samples).
demo/truth.tsv: $(wildcard src/allfuse/simulate/*.py) | venv
	rm -rf demo/reads
	$(BIN)/allfuse simulate --outdir demo --seed 1 --cohort demo

# Simulated follow-up (the simulation above writes it too; this serves a demo/ made before it did).
demo/clinical.tsv: | venv
	$(BIN)/allfuse simulate --outdir demo --seed 1 --cohort demo --clinical-only

demo: install demo/truth.tsv demo/clinical.tsv $(if $(filter all,$(CALLERS)),callers)
	PATH=$(RUN_PATH) $(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml -q rules \
		$(if $(filter all,$(CALLERS)),--config 'callers=$(ALL_CALLERS)')
	@echo "--- time per caller, summed over the demo's samples (benchmarks/; one STAR alignment serves them all):"
	@for step in star_align arriba starfusion pizzly annotate; do \
		ls benchmarks/*/$$step.tsv >/dev/null 2>&1 || continue; \
		awk -v step=$$step 'FNR == 2 { t += $$1; n++ } END { printf "  %-16s %6.1f s over %d samples\n", step, t, n }' benchmarks/*/$$step.tsv; \
	done; [ ! -f benchmarks/ctat_genome_lib.tsv ] || awk 'FNR == 2 { printf "  %-16s %6.1f s once (STAR-Fusion library from the demo genome)\n", "ctat_genome_lib", $$1 }' benchmarks/ctat_genome_lib.tsv
	@echo "  (star_align includes the reads check, sorting and kallisto; annotate includes QC, expression, evidence, primers and the report; star_chimeric is read inside annotate)"
	@echo "--- planted truth (demo/truth.tsv, demo/decoys.tsv) against the results:"
	$(BIN)/allfuse evaluate --truth demo/truth.tsv --results results
	@echo "--- 2-year EFS of the simulated 175-infant cohort (demo/cohort175/) as the infant cohort paper gives it:"
	$(BIN)/allfuse survival --cohort demo/cohort175/cohort.tsv --clinical demo/cohort175/clinical.tsv \
		--by infant --groupings config/config.yaml --pairwise --out results/survival175
	@echo "Per-sample results: results/<sample>/report.html (open in a browser), fusions.tsv, classification.json, qc.tsv, calls/<caller>.tsv"
	@echo "Cohort: results/cohort.html, results/cohort.tsv; survival by subtype: results/survival/ (175 infants: results/survival175/)"

install-slurm:
	@if ! command -v slurmctld >/dev/null; then \
		echo "installing Debian packages ($(SLURM_PACKAGES)) for a one-node SLURM"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SLURM_PACKAGES) >/dev/null; \
	fi

# Arriba and STAR-Fusion are built and tested wherever their sources are (CI: ../shared/tools);
# elsewhere their tests skip with one line naming the missing folder.
callers-if-present:
	@if [ -f '$(CALLER_SRC)/arriba-2.5.1.tar.gz' ]; then $(MAKE) --no-print-directory callers; \
	else echo "make test: no Arriba/STAR-Fusion sources in $(CALLER_SRC): their tests skip (CI=true: fail)"; fi

test: install install-slurm callers-if-present lint
	PATH=$(RUN_PATH) $(BIN)/pytest -q tests

lint: venv
	$(BIN)/ruff check src tests
	PATH=$(RUN_PATH) $(BIN)/snakemake --lint --configfile config/config.yaml
	PATH=$(RUN_PATH) $(BIN)/snakemake --lint --directory .test --configfile .test/config/config.yaml

clean:
	rm -rf results logs benchmarks work .snakemake

# Arriba 2.5.1 and STAR-Fusion 1.15.1 built from ../shared/tools (or CALLER_SRC=DIR) into .tools/bin,
# with the stand-ins the CTAT genome library builder needs here; prints both versions.
callers:
	CALLER_SRC='$(CALLER_SRC)' bash scripts/build-callers.sh
