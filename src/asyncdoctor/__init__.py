"""asyncdoctor: finds, proves, shows and fixes what goes wrong in asyncio code.

The static checker lives in :mod:`asyncdoctor.check`; the command line in
:mod:`asyncdoctor.cli`.

PYTEST_DONT_REWRITE: the pytest plugin makes pytest want to rewrite this package's asserts,
and warn (an error under ``-W error``) when it was imported first, as it is under
``asyncdoctor run -m pytest``; it has no asserts worth rewriting.
"""

from ._version import __version__ as __version__

__all__ = ["__version__"]
