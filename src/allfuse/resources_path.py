"""Where the project's fact tables (``resources/``) live."""

from __future__ import annotations

from pathlib import Path


def resources_dir(override: str | Path | None = None) -> Path:
    """The ``resources/`` folder of this checkout (an editable install), unless overridden."""
    return Path(override) if override else Path(__file__).resolve().parents[2] / "resources"
