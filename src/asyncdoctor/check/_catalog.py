"""Every rule's code, name and category, known without loading the rules.

Rule selection (``--select blocking``), ``per-file-ignores`` and the cache of
whole runs need no more than this; the rule modules, and the analysis they
import, are loaded only when some file has to be analysed.  A run over an
unchanged tree, the usual case in an editor or under pre-commit, so starts
fast.  :func:`~asyncdoctor.check.rules.register` refuses a rule that
disagrees with its line here, and the rules package refuses to load when a
line here has no rule.
"""

from __future__ import annotations

from functools import cache

from ._models import RuleInfo

__all__ = ["RULE_CATALOG", "catalog"]

#: code, name, category, and the module of ``asyncdoctor.check.rules`` that holds the rule.
RULE_CATALOG: tuple[tuple[str, str, str, str], ...] = (
    ("ADC101", "blocking-call", "blocking", "blocking_call"),
    ("ADC103", "loop-in-loop", "blocking", "loop_in_loop"),
    ("ADC102", "thread-lock-across-await", "blocking", "thread_lock"),
    ("ADC201", "unawaited-coroutine", "coroutines", "unawaited_coroutine"),
    ("ADC202", "coroutine-as-callback", "coroutines", "coroutine_callback"),
    ("ADC301", "task-reference", "tasks", "task_reference"),
    ("ADC302", "unnecessary-task", "tasks", "unnecessary_task"),
    ("ADC401", "resource-leak", "resources", "resource_leak"),
    ("ADC402", "client-per-request", "resources", "client_per_request"),
    ("ADC501", "sequential-await", "concurrency", "sequential_await"),
    ("ADC502", "unbounded-concurrency", "concurrency", "unbounded_concurrency"),
    ("ADC503", "busy-wait", "concurrency", "busy_wait"),
    ("ADC505", "loop-per-item", "concurrency", "loop_per_item"),
    ("ADC504", "local-limiter", "concurrency", "local_limiter"),
    ("ADC601", "swallowed-cancel", "cancellation", "swallowed_cancel"),
)


@cache
def catalog() -> tuple[RuleInfo, ...]:
    """Every rule as a :class:`RuleInfo` without its summary and documentation, by code.

    Enough for selection; :func:`~asyncdoctor.check.rules.all_rules` has the rest.
    """
    return tuple(
        RuleInfo(code=code, name=name, category=category, summary="", doc="")
        for code, name, category, _module in sorted(RULE_CATALOG)
    )
