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
    "CoroutineTasks",
    "Doctor",
    "DoctorOptions",
    "Frame",
    "LoopHealth",
    "LoopMetrics",
    "PoolSite",
    "QueueSite",
    "ResourceCount",
    "RuntimeFinding",
    "RuntimeReport",
    "TaskStats",
    "Timeline",
    "current",
    "install",
    "uninstall",
    "watch",
]

if TYPE_CHECKING:
    from ._metrics import BlockingSite as BlockingSite
    from ._metrics import CoroutineTasks as CoroutineTasks
    from ._metrics import LoopHealth as LoopHealth
    from ._metrics import TaskStats as TaskStats
    from ._resources import PoolSite as PoolSite
    from ._resources import QueueSite as QueueSite
    from ._resources import ResourceCount as ResourceCount
    from ._timeline import Timeline as Timeline


def __getattr__(name: str) -> object:
    # The metrics' record types are imported when first used: ``asyncdoctor run`` pays
    # for nothing it does not use before the program's first line.
    if name in ("BlockingSite", "CoroutineTasks", "LoopHealth", "TaskStats"):
        from . import _metrics

        return getattr(_metrics, name)
    if name in ("PoolSite", "QueueSite", "ResourceCount"):
        from . import _resources

        return getattr(_resources, name)
    if name == "Timeline":  # the timeline's records (DoctorOptions(timeline=True))
        from . import _timeline

        return _timeline.Timeline
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
