"""asyncdoctor: finds, proves, shows and fixes what goes wrong in asyncio code.

The static checker lives in :mod:`asyncdoctor.check`; the runtime doctor in
:mod:`asyncdoctor.runtime`, whose :func:`~asyncdoctor.runtime.install`,
:func:`~asyncdoctor.runtime.uninstall` and :func:`~asyncdoctor.runtime.watch`
are also here (``asyncdoctor.install()``, ``with asyncdoctor.watch(): ...``),
imported on first use so that ``import asyncdoctor`` stays cheap; the
command line in :mod:`asyncdoctor.cli`.

PYTEST_DONT_REWRITE: the pytest plugin makes pytest want to rewrite this package's asserts,
and warn (an error under ``-W error``) when it was imported first, as it is under
``asyncdoctor run -m pytest``; it has no asserts worth rewriting.
"""

from ._version import __version__ as __version__

TYPE_CHECKING = False  # not `from typing import ...`: typing costs start-up time
if TYPE_CHECKING:
    from .runtime import install as install
    from .runtime import uninstall as uninstall
    from .runtime import watch as watch

__all__ = ["__version__", "install", "uninstall", "watch"]

_RUNTIME_NAMES = frozenset({"install", "uninstall", "watch"})


def __getattr__(name: str) -> object:
    # PEP 562: the runtime doctor (and asyncio) is imported only when asked for.
    if name in _RUNTIME_NAMES:
        from . import runtime

        value = getattr(runtime, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_RUNTIME_NAMES})
