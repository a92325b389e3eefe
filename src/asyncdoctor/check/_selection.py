"""Which rules run, and where they are switched off.

A *selector* names a set of rules, in any of these forms:

* ``ALL``: every rule;
* a code, ``ADC101`` (any case);
* a code prefix, ``ADC1`` or ``ADC`` (any case);
* a rule name, ``blocking-call``;
* a category, ``blocking`` (see :data:`~asyncdoctor.check.rules.CATEGORIES`).

The rules that run are those of ``select`` (every rule when ``select`` is
empty) plus those of ``extend_select``, minus those of ``ignore``.
``per_file_ignores`` maps gitignore-style globs, relative to the project
root, to selectors switched off for the files they match.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._catalog import catalog
from ._config import Config, ConfigError
from ._models import RuleInfo

if TYPE_CHECKING:  # imported when the first glob is compiled: it costs start-up time
    from pathspec import GitIgnoreSpec

__all__ = ["codes_ignored_for", "selected_codes"]


def selected_codes(config: Config, *, rules: Sequence[RuleInfo] | None = None) -> frozenset[str]:
    """The codes of the rules to run under ``config``.

    ``rules`` defaults to every rule (see :mod:`._catalog`).  Raises :class:`ConfigError`
    for a selector that names no rule, anywhere in the configuration
    (``per_file_ignores`` included), so that a run fails before any work.
    """
    known = _rules(rules)
    if config.per_file_ignores:
        _compiled(config.per_file_ignores, known)
    chosen = _expand_all(config.select, known) if config.select else _codes(known)
    chosen |= _expand_all(config.extend_select, known)
    return frozenset(chosen - _expand_all(config.ignore, known))


def codes_ignored_for(
    path: str, config: Config, *, rules: Sequence[RuleInfo] | None = None
) -> frozenset[str]:
    """The codes that ``per_file_ignores`` switches off for the file at ``path``.

    A relative ``path`` is taken relative to the current directory.  Globs
    are matched against the path relative to ``config.root``; a file outside
    the root is matched by its name alone (so ``__init__.py`` still matches).
    """
    if not config.per_file_ignores:
        return frozenset()
    table = _compiled(config.per_file_ignores, _rules(rules))
    absolute = Path(os.path.abspath(path))
    try:
        candidate = absolute.relative_to(os.path.abspath(config.root)).as_posix()
    except ValueError:
        candidate = absolute.name
    ignored: set[str] = set()
    for spec, codes in table:
        if spec.match_file(candidate):
            ignored |= codes
    return frozenset(ignored)


def _rules(rules: Sequence[RuleInfo] | None) -> tuple[RuleInfo, ...]:
    if rules is not None:
        return tuple(rules)
    return catalog()  # codes, names and categories, without loading the rules


def _codes(rules: Iterable[RuleInfo]) -> set[str]:
    return {info.code for info in rules}


@functools.lru_cache(maxsize=64)
def _compiled(
    entries: tuple[tuple[str, tuple[str, ...]], ...], rules: tuple[RuleInfo, ...]
) -> tuple[tuple[GitIgnoreSpec, frozenset[str]], ...]:
    from pathspec import GitIgnoreSpec

    return tuple(
        (GitIgnoreSpec.from_lines([glob]), frozenset(_expand_all(selectors, rules)))
        for glob, selectors in entries
    )


def _expand_all(selectors: Iterable[str], rules: tuple[RuleInfo, ...]) -> set[str]:
    codes: set[str] = set()
    for selector in selectors:
        codes |= _expand(selector, rules)
    return codes


def _expand(selector: str, rules: tuple[RuleInfo, ...]) -> set[str]:
    wanted = selector.strip()
    upper = wanted.upper()
    lower = wanted.lower()
    if upper == "ALL":
        return _codes(rules)
    by_code = {info.code for info in rules if info.code.upper() == upper}
    if by_code:
        return by_code
    by_name = {info.code for info in rules if info.name == lower}
    if by_name:
        return by_name
    by_category = {info.code for info in rules if info.category == lower}
    if by_category:
        return by_category
    if wanted.isalnum():
        by_prefix = {info.code for info in rules if info.code.upper().startswith(upper)}
        if by_prefix:
            return by_prefix
    raise ConfigError(f"unknown rule selector '{selector}'{_suggestion(wanted, rules)}")


def _suggestion(selector: str, rules: tuple[RuleInfo, ...]) -> str:
    words = [info.name for info in rules] + sorted({info.category for info in rules})
    import difflib

    close = difflib.get_close_matches(selector.lower(), words, n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""
