# Two commands do everything: `make demo` and `make test`. Both go through `make install`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
# chromium: the tests open every HTML report headless and check it makes no network request.
APT_PACKAGES := rna-star samtools kallisto pizzly chromium
# The commands those packages provide; apt runs only when one is missing.
TOOLS := STAR samtools kallisto pizzly chromium

.PHONY: install apt venv install-slurm demo test lint clean

# A one-node SLURM for tests/test_slurm.py (scripts/slurm-local.sh): the daemons, the client commands
# and munge. apt runs only when slurmctld is missing.
SLURM_PACKAGES := slurmctld slurmd slurm-client munge

install: apt venv

apt:
	@missing=""; for t in $(TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages ($(APT_PACKAGES)) for:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo/truth.tsv: | venv
	$(BIN)/allfuse simulate --outdir demo --seed 1 --cohort demo

# Simulated follow-up (the simulation above writes it too; this serves a demo/ made before it did).
demo/clinical.tsv: | venv
	$(BIN)/allfuse simulate --outdir demo --seed 1 --cohort demo --clinical-only

demo: install demo/truth.tsv demo/clinical.tsv
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml -q rules
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

test: install install-slurm
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/pytest -q tests

lint: venv
	$(BIN)/ruff check src tests
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/snakemake --lint --configfile config/config.yaml

clean:
	rm -rf results logs benchmarks work .snakemake

# Arriba 2.5.1 and STAR-Fusion 1.15.1 built from ../shared/tools (or CALLER_SRC=DIR) into .tools/bin,
# with the stand-ins the CTAT genome library builder needs here; prints both versions.
.PHONY: callers
callers:
	$(if $(CALLER_SRC),CALLER_SRC='$(CALLER_SRC)' )bash scripts/build-callers.sh
