"""The run configuration: read, validated against the JSON schema, missing keys filled from it.

A user's config is never merged over the demo's: what it leaves out takes the default the schema
documents (``workflow/schemas/config.schema.yaml``), and a key without a default is an error. Every
problem is one line naming the file and the key, because a traceback tells a user nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from allfuse.datafiles import schema_path
from allfuse.errors import InputError


def read_schema(name: str, schema_dir: Path | None = None) -> dict:
    """A schema shipped with allfuse (or from ``schema_dir``), parsed: with libyaml's parser where
    PyYAML has it (every subcommand's options read their defaults here; the pure-Python parser made
    that a tenth of a second per subcommand)."""
    path = (schema_dir / name) if schema_dir is not None else schema_path(name)
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_yaml(path: str | Path, what: str = "config") -> dict[str, Any]:
    """A YAML mapping from ``path``; a missing, empty or broken file is one InputError line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} file not found")
    try:
        data = yaml.safe_load(path.read_text())
    except UnicodeDecodeError:
        raise InputError(f"{path}: {what} is not a text file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(f"{path}: {where}{what} is not valid YAML ({problem})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: {what} must be a YAML mapping of keys to values")
    return data


def _fill_defaults(schema: dict, instance: Any) -> None:
    """Set every missing property that has a schema default, recursing into objects (in place)."""
    if not isinstance(instance, dict):
        return
    for key, sub in schema.get("properties", {}).items():
        if key not in instance and "default" in sub:
            default = sub["default"]
            instance[key] = dict(default) if isinstance(default, dict) else default
        if key in instance:
            _fill_defaults(sub, instance[key])


def _where(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top level)"


def _errors(schema: dict, config: dict) -> Iterator[jsonschema.ValidationError]:
    validator = jsonschema.Draft202012Validator(schema)
    return iter(sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path)))


def validate_config(
    config: dict[str, Any], source: str = "config", schema_dir: Path | None = None, partial: bool = False
) -> None:
    """Fill schema defaults into ``config`` (in place), then raise InputError naming the first bad key.

    ``partial``: the config of one step (``allfuse annotate --config``), which needs no sample sheet
    or reference; every key it has is still checked.
    """
    schema = read_schema("config.schema.yaml", schema_dir)
    if partial:
        schema = {k: v for k, v in schema.items() if k != "required"}
    _fill_defaults(schema, config)
    e = next(_errors(schema, config), None)
    if e is None:
        return
    if e.validator == "enum" and e.absolute_path and e.absolute_path[0] == "callers":
        allowed = ", ".join(e.validator_value)
        raise InputError(f"{source}: callers: unknown caller {e.instance!r} (known: {allowed})")
    raise InputError(f"{source}: {_where(e)}: {e.message}")


def load_config(path: str | Path, partial: bool = False) -> dict[str, Any]:
    """Read and validate a config file, defaults filled (``partial``: see :func:`validate_config`)."""
    config = load_yaml(path, "config")
    validate_config(config, str(path), partial=partial)
    return config


def schema_default(section: str, key: str) -> Any:
    """The default the config schema gives ``section.key``: the one place a threshold's default is
    written, so a library's dataclass, a command's option and the workflow cannot disagree."""
    return read_schema("config.schema.yaml")["properties"][section]["properties"][key]["default"]
