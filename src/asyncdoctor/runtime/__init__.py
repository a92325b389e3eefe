"""The runtime doctor: what asyncio code *does* while it runs.

>>> import asyncdoctor.runtime as rt
>>> doctor = rt.install(rt.DoctorOptions(threshold=0.1))   # doctest: +SKIP
>>> ...                                                      # run the program
>>> print(doctor.report().render_text())                     # doctest: +SKIP

Detectors (each one a kind of :class:`RuntimeFinding`): ``blocking-call``,
``never-awaited``, ``unretrieved-exception``, ``unclosed-resource`` and
``pending-task``; see each private module's docstring for how it works and
what it costs.  ``asyncdoctor run`` and the pytest plugin are front-ends
that only render what this package returns.
"""

from typing import TYPE_CHECKING

from ._doctor import Doctor as Doctor
from ._doctor import current as current
from ._doctor import install as install
from ._doctor import uninstall as uninstall
from ._doctor import watch as watch
from ._models import Frame as Frame
from ._models import LoopMetrics as LoopMetrics
from ._models import RuntimeFinding as RuntimeFinding
from ._models import RuntimeReport as RuntimeReport
from ._options import KINDS as KINDS
from ._options import DoctorOptions as DoctorOptions

__all__ = [
    "KINDS",
    "BlockingSite",
    "Doctor",
    "DoctorOptions",
    "Frame",
    "LoopHealth",
    "LoopMetrics",
    "RuntimeFinding",
    "RuntimeReport",
    "current",
    "install",
    "uninstall",
    "watch",
]

if TYPE_CHECKING:
    from ._metrics import BlockingSite as BlockingSite
    from ._metrics import LoopHealth as LoopHealth


def __getattr__(name: str) -> object:
    # The metrics' record types are imported when first used: ``asyncdoctor run`` pays
    # for nothing it does not use before the program's first line.
    if name in ("BlockingSite", "LoopHealth"):
        from . import _metrics

        return getattr(_metrics, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
