"""Where allfuse's shipped data lives: the curated fact tables and the JSON schemas.

In a checkout (and an editable install) they are the repository's own ``resources/`` and
``workflow/schemas/``, the files reviewers edit. A wheel (``pip install .``) carries copies of both
inside the package under ``allfuse/_data/`` (see ``pyproject.toml``), so an installed allfuse needs
no checkout beside it.
"""

from __future__ import annotations

from importlib import resources as importlib_resources
from pathlib import Path

_CHECKOUT = {"resources": ("resources",), "schemas": ("workflow", "schemas")}


def data_dir(kind: str) -> Path:
    """The folder of ``kind`` ('resources' or 'schemas'): the wheel's copy, else the checkout's."""
    if kind not in _CHECKOUT:
        raise ValueError(f"unknown data kind {kind!r}")
    shipped = Path(str(importlib_resources.files("allfuse"))) / "_data" / kind
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2].joinpath(*_CHECKOUT[kind])


def resource_path(name: str) -> Path:
    """A curated fact table, e.g. ``resource_path('subtype_rules.tsv')``."""
    return data_dir("resources") / name


def schema_path(name: str) -> Path:
    """A JSON schema (YAML), e.g. ``schema_path('config.schema.yaml')``."""
    return data_dir("schemas") / name
