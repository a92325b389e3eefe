"""arq workers behind the aerial-imagery labelling queue."""
from .worker import WorkerSettings

__all__ = ["WorkerSettings"]
