import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Policy:
    attempts: int = 5
    base: float = 0.2
    cap: float = 10.0
    jitter: bool = True
    retry_on: tuple[type[BaseException], ...] = field(default=(ConnectionError, TimeoutError))

    def delays(self):
        for n in range(self.attempts):
            d = min(self.cap, self.base * 2**n)
            yield random.uniform(0, d) if self.jitter else d
