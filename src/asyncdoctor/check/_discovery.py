"""Which files a run checks.

:func:`discover_files` turns the paths given on the command line into the
sorted list of files to check:

* A file named explicitly is always checked, whatever its extension and
  whatever the exclusions say, unless ``config.force_exclude`` is set: then
  ``exclude``/``extend-exclude`` and the default directory names apply to
  it too (``.gitignore`` does not: a tracked file is meant to be checked).
  That is ruff's behaviour, and what pre-commit needs.
* A directory is walked for ``*.py`` files (stubs have no bodies to check
  and notebooks are not supported).  The walk skips the directories named in
  :data:`DEFAULT_EXCLUDES`; directories named ``build``, ``dist`` or
  ``venv`` unless they are Python packages (hold an ``__init__.py``, like the
  standard library's ``venv`` or pip's ``operations/build``); any virtual
  environment (a directory holding ``pyvenv.cfg``); the gitignore-style
  patterns of ``exclude`` and
  ``extend-exclude`` (relative to ``config.root``; a path outside the root
  is matched by its name alone) and, when ``respect_gitignore`` is set and
  the directory is inside a git work tree, the ``.gitignore`` files of the
  tree (each relative to its own directory) and ``.git/info/exclude``.
* A directory named explicitly is walked even when its own name is excluded
  (checking a whole ``site-packages`` works); the patterns that match the
  directory itself are not applied inside it either.
* Symbolic links to directories are not followed during the walk.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when the first pattern is compiled: it costs start-up time
    from pathspec import GitIgnoreSpec

from ._config import Config, ConfigError

__all__ = ["DEFAULT_EXCLUDES", "PathError", "discover_files", "repository_root"]

#: Directory names never entered while walking (a directory given
#: explicitly is still checked).
DEFAULT_EXCLUDES: frozenset[str] = frozenset(
    {
        ".asyncdoctor_cache",
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".hg",
        ".mypy_cache",
        ".nox",
        ".pytest_cache",
        ".pytype",
        ".ruff_cache",
        ".svn",
        ".tox",
        ".venv",
        "__pycache__",
        "__pypackages__",
        "node_modules",
        "site-packages",
    }
)

#: Directory names skipped unless the directory is a Python package.
_ARTIFACT_NAMES = frozenset({"build", "dist", "venv"})


class PathError(Exception):
    """A path given to the checker does not exist; the message is one clear line."""


def discover_files(paths: Sequence[Path], config: Config) -> list[Path]:
    """The files to check for ``paths``: absolute, sorted and de-duplicated.

    Raises :class:`PathError` when a path does not exist and
    :class:`ConfigError` when an exclude pattern is invalid.
    """
    root = os.path.abspath(config.root)
    excludes = _compile(
        (*config.exclude, *config.extend_exclude), what="exclude pattern", strict=True
    )
    found: set[str] = set()
    for given in paths:
        path = os.path.abspath(given)
        if not os.path.exists(path):
            raise PathError(f"path '{given}' does not exist")
        is_dir = os.path.isdir(path)
        if config.force_exclude and _force_excluded(path, is_dir, root, excludes):
            continue
        if not is_dir:
            found.add(path)
            continue
        walk_excludes = _without_matches(excludes, _candidate(path, root, is_dir=True))
        ignores, in_repo = _enclosing_ignores(path) if config.respect_gitignore else ((), False)
        _walk(
            path,
            _Walk(
                root=root,
                excludes=walk_excludes,
                gitignore=config.respect_gitignore,
            ),
            ignores,
            in_repo,
            found,
        )
    return sorted(Path(name) for name in found)


def repository_root(start: str | os.PathLike[str]) -> Path | None:
    """The top of the git work tree holding ``start`` (a file or a directory), if any.

    That is the nearest directory at or above ``start`` holding ``.git`` (a
    directory, or the file a worktree or a submodule has), found without
    running git.
    """
    current = os.path.abspath(start)
    if not os.path.isdir(current):
        current = os.path.dirname(current)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return Path(current)
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


@dataclass(frozen=True, slots=True)
class _Walk:
    root: str
    excludes: GitIgnoreSpec | None
    gitignore: bool


@dataclass(frozen=True, slots=True)
class _Ignore:
    """The patterns of one ignore file, relative to ``base`` (a directory)."""

    base: str
    spec: GitIgnoreSpec


def _walk(
    top: str, walk: _Walk, top_ignores: tuple[_Ignore, ...], top_in_repo: bool, found: set[str]
) -> None:
    pending = [(top, top_ignores, top_in_repo)]
    while pending:
        directory, ignores, in_repo = pending.pop()
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError:
            continue
        if directory != top and _is_artifact(directory, entries):
            continue
        if walk.gitignore:
            ignores, in_repo = _add_local_ignores(directory, entries, ignores, in_repo)
        shadowed = _shadowed_modules(entries)
        for entry in entries:
            name = entry.name
            if name in shadowed:
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                if not is_dir and not (name.endswith(".py") and entry.is_file()):
                    continue
            except OSError:
                continue
            if is_dir and name in DEFAULT_EXCLUDES:
                continue
            path = entry.path
            if walk.excludes is not None and walk.excludes.match_file(
                _candidate(path, walk.root, is_dir=is_dir)
            ):
                continue
            if ignores and _ignored(path, is_dir, ignores):
                continue
            if is_dir:
                pending.append((path, ignores, in_repo))
            else:
                found.add(path)


def _shadowed_modules(entries: list[os.DirEntry[str]]) -> frozenset[str]:
    """``x.py`` files beside a package ``x/`` (with an ``__init__.py``): ``import x`` finds the
    package, so the module never runs (left behind by a refactoring) and is not checked."""
    modules = {e.name[:-3] for e in entries if e.name.endswith(".py")}
    if not modules:
        return frozenset()
    out: set[str] = set()
    for entry in entries:
        if entry.name in modules and os.path.isfile(os.path.join(entry.path, "__init__.py")):
            out.add(entry.name + ".py")
    return frozenset(out)


def _is_artifact(directory: str, entries: list[os.DirEntry[str]]) -> bool:
    """Whether ``directory`` is a virtual environment or a build output, not source."""
    names = {entry.name for entry in entries}
    if "pyvenv.cfg" in names:
        return True
    return os.path.basename(directory) in _ARTIFACT_NAMES and "__init__.py" not in names


def _add_local_ignores(
    directory: str,
    entries: Iterable[os.DirEntry[str]],
    ignores: tuple[_Ignore, ...],
    in_repo: bool,
) -> tuple[tuple[_Ignore, ...], bool]:
    names = {entry.name for entry in entries if entry.name in (".git", ".gitignore")}
    if ".git" in names:
        in_repo = True
        ignores = (
            *ignores,
            *_load_ignore(directory, os.path.join(directory, ".git", "info", "exclude")),
        )
    if in_repo and ".gitignore" in names:
        ignores = (*ignores, *_load_ignore(directory, os.path.join(directory, ".gitignore")))
    return ignores, in_repo


def _enclosing_ignores(directory: str) -> tuple[tuple[_Ignore, ...], bool]:
    """The ignore files above ``directory`` that apply inside it, and whether it is in a repo.

    The patterns matching ``directory`` itself are dropped: it was named
    explicitly, so it is walked.
    """
    if os.path.exists(os.path.join(directory, ".git")):
        return (), True  # a work tree's top: the walk itself reads its files
    ancestors: list[str] = []
    current = directory
    while True:
        parent = os.path.dirname(current)
        if parent == current:
            return (), False  # not inside a git work tree
        ancestors.append(parent)
        if os.path.exists(os.path.join(parent, ".git")):
            break
        current = parent
    ancestors.reverse()  # from the top of the work tree down
    top = ancestors[0]
    loaded = list(_load_ignore(top, os.path.join(top, ".git", "info", "exclude")))
    for folder in ancestors:
        loaded.extend(_load_ignore(folder, os.path.join(folder, ".gitignore")))
    kept: list[_Ignore] = []
    for ignore in loaded:
        relative = _relative(directory, ignore.base)
        spec = _without_matches(ignore.spec, f"{relative}/") if relative else ignore.spec
        if spec is not None:
            kept.append(_Ignore(ignore.base, spec))
    return tuple(kept), True


def _load_ignore(base: str, file: str) -> tuple[_Ignore, ...]:
    try:
        with open(file, encoding="utf-8", errors="surrogateescape") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return ()
    spec = _compile(lines, what="ignore pattern", strict=False)
    return (_Ignore(base, spec),) if spec is not None else ()


def _compile(lines: Iterable[str], *, what: str, strict: bool) -> GitIgnoreSpec | None:
    """A spec for ``lines``; ``None`` when there is no pattern at all.

    An invalid pattern is a :class:`ConfigError` when ``strict`` and is
    skipped otherwise (a broken ``.gitignore`` line is git's business).
    """
    specs = [spec for line in lines if (spec := _compile_line(line, what, strict)) is not None]
    if not specs:
        return None
    patterns = [
        pattern for spec in specs for pattern in spec.patterns if pattern.include is not None
    ]
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec(patterns) if patterns else None


def _compile_line(line: str, what: str, strict: bool) -> GitIgnoreSpec | None:
    try:
        from pathspec import GitIgnoreSpec

        return GitIgnoreSpec.from_lines([line])
    except Exception as exc:  # pathspec raises various errors for bad patterns
        if strict:
            raise ConfigError(f"invalid {what} '{line}': {exc}") from None
        return None


def _without_matches(spec: GitIgnoreSpec | None, candidate: str) -> GitIgnoreSpec | None:
    """``spec`` without the patterns matching ``candidate`` (an explicit directory)."""
    if spec is None:
        return None
    kept = [pattern for pattern in spec.patterns if not pattern.match_file(candidate)]
    if len(kept) == len(spec.patterns):
        return spec
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec(kept) if kept else None


def _ignored(path: str, is_dir: bool, ignores: tuple[_Ignore, ...]) -> bool:
    """Whether git ignores ``path``: the deepest ignore file with a matching pattern decides."""
    for ignore in reversed(ignores):
        relative = _relative(path, ignore.base)
        if not relative:
            continue
        if is_dir:
            relative += "/"
        for pattern in reversed(ignore.spec.patterns):
            if pattern.match_file(relative):
                return bool(pattern.include)
    return False


def _force_excluded(path: str, is_dir: bool, root: str, excludes: GitIgnoreSpec | None) -> bool:
    relative = _relative(path, root)
    if relative:
        folders = relative.split("/") if is_dir else relative.split("/")[:-1]
        for depth, folder in enumerate(folders, start=1):
            if folder in DEFAULT_EXCLUDES:
                return True
            inside = os.path.join(root, *folders[:depth])
            if os.path.exists(os.path.join(inside, "pyvenv.cfg")):
                return True
            if folder in _ARTIFACT_NAMES and not os.path.exists(
                os.path.join(inside, "__init__.py")
            ):
                return True
    if excludes is None or relative == "":
        return False
    return bool(excludes.match_file(_candidate(path, root, is_dir=is_dir)))


def _candidate(path: str, root: str, *, is_dir: bool) -> str:
    """What an exclude pattern is matched against: the path relative to the root, or its name."""
    relative = _relative(path, root)
    if relative is None:
        relative = os.path.basename(path)
    return f"{relative}/" if is_dir and relative else relative


def _relative(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` with ``/`` separators, ``""`` if equal, ``None`` if outside."""
    if path == base:
        return ""
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    return relative.replace(os.sep, "/") if os.sep != "/" else relative
