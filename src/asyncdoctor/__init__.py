"""asyncdoctor: finds, proves, shows and fixes what goes wrong in asyncio code.

The static checker lives in :mod:`asyncdoctor.check`; the command line in
:mod:`asyncdoctor.cli`.
"""

from ._version import __version__ as __version__

__all__ = ["__version__"]
