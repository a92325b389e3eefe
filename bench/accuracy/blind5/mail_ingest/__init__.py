"""Inbound mail to helpdesk tickets: an SMTP listener, a ticket handler and an mbox archiver."""
from .handlers import IngestHandler
from .server import serve

__all__ = ["IngestHandler", "serve"]
