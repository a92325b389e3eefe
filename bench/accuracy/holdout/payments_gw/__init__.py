from .gateway import Gateway
from .webhooks import consume

__all__ = ["Gateway", "consume"]
