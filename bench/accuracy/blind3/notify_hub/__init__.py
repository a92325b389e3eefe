from .dispatcher import Dispatcher, Notification

__all__ = ["Dispatcher", "Notification"]
