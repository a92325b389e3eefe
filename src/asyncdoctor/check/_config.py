"""Checker configuration: the ``[tool.asyncdoctor]`` table of pyproject.toml.

:func:`load_config` finds the configuration that applies to a path, checks
every key and returns a :class:`Config`.  How the file is found:

* Walking up from the start path (a file or a directory) to the filesystem
  root, the nearest ``pyproject.toml`` that has a ``[tool.asyncdoctor]``
  table is the configuration; its directory is the project ``root``.
* A ``pyproject.toml`` without that table does not stop the walk (an outer
  project's settings still apply, as in ruff), but when no file has the
  table the nearest ``pyproject.toml`` still marks the project root.  With
  no ``pyproject.toml`` at all, the root is the start path's directory.
* ``config_file`` (``--config FILE``) skips the search.  A file named
  ``pyproject.toml`` is read for its ``[tool.asyncdoctor]`` table; any other
  TOML file (say ``asyncdoctor.toml``) holds the options at its top level.

Every problem is reported as a :class:`ConfigError` whose message is one line
naming the file and the key::

    pyproject.toml: [tool.asyncdoctor] 'selct' is not a known option (did you mean 'select'?)
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Config", "ConfigError", "load_config"]


class ConfigError(Exception):
    """A configuration file or option is invalid; the message is one clear line."""


@dataclass(frozen=True, kw_only=True)
class Config:
    """Settings for one run of the checker.

    ``select``/``ignore`` take rule codes (``ADC101``), code prefixes
    (``ADC1``), names (``blocking-call``), categories (``blocking``) or
    ``ALL``.  The rules run are ``select`` (all rules when empty) plus
    ``extend_select``, minus ``ignore``: an ignored rule stays off.
    ``blocking_functions`` and ``safe_functions`` are dotted names, as the
    code imports them (``mypkg.db.query``, ``legacy.Client.fetch``, or
    ``legacy.Client.*`` for every method of a class), that extend or override
    what the checker knows about blocking calls.  ``preview`` also reports
    findings whose evidence is weaker (hidden by default); ``show_all_sites``
    reports a cause that many async functions reach at each of them instead
    of once where it can be fixed.  ``learn_installed`` reads the source of
    installed libraries the knowledge does not cover, for what they do.

    ``exclude``, ``extend_exclude`` and the globs of ``per_file_ignores`` are
    gitignore-style patterns relative to ``root``.  Files named explicitly on
    the command line are checked even when excluded, unless
    ``force_exclude`` is set (what pre-commit needs, since it always passes
    explicit file names).
    """

    root: Path = field(default_factory=Path.cwd)
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    respect_gitignore: bool = True
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    blocking_functions: tuple[str, ...] = ()
    safe_functions: tuple[str, ...] = ()
    preview: bool = False
    show_all_sites: bool = False
    learn_installed: bool = True
    cache: bool = True
    cache_dir: Path | None = None
    jobs: int | None = None
    config_file: Path | None = None


_TABLE = "[tool.asyncdoctor]"


def load_config(
    start: Path,
    *,
    config_file: Path | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Config:
    """Return the configuration that applies to ``start``.

    ``overrides`` (``--select`` and friends on the command line) win over
    the file: keys are :class:`Config` field names, values replace the
    file's (lists are turned into tuples).  Raises :class:`ConfigError` for
    a missing, unreadable or invalid file.
    """
    if config_file is not None:
        path = Path(os.path.abspath(config_file))
        if not path.is_file():
            raise ConfigError(f"config file '{_shown(path)}' does not exist")
        document = _read_toml(path)
        if path.name == "pyproject.toml":
            table = _tool_table(document, path)
            where = f"{_shown(path)}: {_TABLE}"
        else:
            table = document
            where = _shown(path)
        config = _from_table(table if table is not None else {}, path, where)
    else:
        config = _discover(Path(os.path.abspath(start)))
    if overrides:
        fields = {f.name for f in dataclasses.fields(Config)}
        unknown = sorted(set(overrides) - fields)
        if unknown:
            raise TypeError(f"unknown Config field(s) in overrides: {', '.join(unknown)}")
        values = {
            key: tuple(value) if isinstance(value, list) else value
            for key, value in overrides.items()
        }
        config = dataclasses.replace(config, **values)  # type: ignore[arg-type]
    return config


def _discover(start: Path) -> Config:
    directory = start if start.is_dir() else start.parent
    first_pyproject: Path | None = None
    for folder in (directory, *directory.parents):
        candidate = folder / "pyproject.toml"
        if not candidate.is_file():
            continue
        if first_pyproject is None:
            first_pyproject = candidate
        table = _tool_table(_read_toml(candidate), candidate)
        if table is not None:
            return _from_table(table, candidate, f"{_shown(candidate)}: {_TABLE}")
    root = first_pyproject.parent if first_pyproject is not None else directory
    return Config(root=root)


def _read_toml(path: Path) -> dict[str, object]:
    import tomllib  # here: a run with no configuration file does without it

    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_shown(path)}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{_shown(path)}: cannot read: {reason}") from None


def _tool_table(document: dict[str, object], path: Path) -> dict[str, object] | None:
    tool = document.get("tool")
    if not isinstance(tool, dict):
        return None
    table = tool.get("asyncdoctor")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{_shown(path)}: {_TABLE} must be a table, got {_kind(table)}")
    return table


# --- validation -------------------------------------------------------------------------------

_Parser = Callable[[object, str, Path], object]


def _string_list(value: object, where: str, root: Path) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be an array of strings, got {_kind(value)}")
    for item in value:
        if not isinstance(item, str):
            raise ConfigError(f"{where} must be an array of strings, but contains {_kind(item)}")
    return tuple(value)


def _boolean(value: object, where: str, root: Path) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {_kind(value)}")
    return value


def _directory(value: object, where: str, root: Path) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a path (a string), got {_kind(value)}")
    return root / Path(value).expanduser()


def _jobs(value: object, where: str, root: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where} must be a positive integer, got {_kind(value)}")
    return value


def _dotted_names(value: object, where: str, root: Path) -> tuple[str, ...]:
    """Dotted names, ``pkg.mod.func``, or ``pkg.mod.Class.*`` for every method of a class."""
    names = _string_list(value, where, root)
    for name in names:
        parts = name.removesuffix(".*").split(".")
        if not all(part.isidentifier() for part in parts) or (name.endswith(".*") and len(parts) < 2):
            raise ConfigError(
                f"{where} entry '{name}' is not a dotted name like 'pkg.mod.func' "
                "or 'pkg.mod.Class.*'"
            )
    return names


def _per_file_ignores(
    value: object, where: str, root: Path
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of glob = [rules], got {_kind(value)}")
    entries: list[tuple[str, tuple[str, ...]]] = []
    for glob, codes in value.items():
        entries.append((glob, _string_list(codes, f"{where} '{glob}'", root)))
    return tuple(entries)


#: TOML key -> (Config field, parser).
_OPTIONS: dict[str, tuple[str, _Parser]] = {
    "select": ("select", _string_list),
    "extend-select": ("extend_select", _string_list),
    "ignore": ("ignore", _string_list),
    "exclude": ("exclude", _string_list),
    "extend-exclude": ("extend_exclude", _string_list),
    "force-exclude": ("force_exclude", _boolean),
    "respect-gitignore": ("respect_gitignore", _boolean),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "blocking-functions": ("blocking_functions", _dotted_names),
    "safe-functions": ("safe_functions", _dotted_names),
    "preview": ("preview", _boolean),
    "show-all-sites": ("show_all_sites", _boolean),
    "learn-installed": ("learn_installed", _boolean),
    "cache": ("cache", _boolean),
    "cache-dir": ("cache_dir", _directory),
    "jobs": ("jobs", _jobs),
}


def _from_table(table: Mapping[str, object], path: Path, where: str) -> Config:
    root = path.parent
    values: dict[str, object] = {}
    for key, value in table.items():
        option = _OPTIONS.get(key)
        if option is None:
            raise ConfigError(f"{where} '{key}' is not a known option{_did_you_mean(key)}")
        name, parse = option
        values[name] = parse(value, f"{where} '{key}'", root)
    return Config(root=root, config_file=path, **values)  # type: ignore[arg-type]


def _did_you_mean(key: str) -> str:
    dashed = key.replace("_", "-").lower()
    if dashed in _OPTIONS:
        return f" (did you mean '{dashed}'?)"
    import difflib

    close = difflib.get_close_matches(dashed, list(_OPTIONS), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _shown(path: Path) -> str:
    """``path`` relative to the current directory when it is under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
