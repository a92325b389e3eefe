from .engine import FlowRunner, TaskDef
from .retry import RetryPolicy, call_with_timeout, run_with_retry
from .state import StateStore

__all__ = [
    "FlowRunner",
    "RetryPolicy",
    "StateStore",
    "TaskDef",
    "call_with_timeout",
    "run_with_retry",
]
