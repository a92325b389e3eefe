from .circuit import CircuitBreaker, CircuitOpen
from .policy import Policy
from .retry import RetryError, aretry, retry

__all__ = ["CircuitBreaker", "CircuitOpen", "Policy", "RetryError", "aretry", "retry"]
