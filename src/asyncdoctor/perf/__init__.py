"""Load generation: a loopback HTTP server, HTTP client drivers, and the bench engine.

>>> from asyncdoctor.perf import LoopbackServer, open_client
>>> with LoopbackServer(workers=4, service_time=0.05) as server:   # doctest: +SKIP
...     ...   # a server whose capacity is 80 requests/s, at server.url
>>> async with open_client("aiohttp", url, concurrency=50) as request:  # doctest: +SKIP
...     await request()   # raises RequestFailed on a status >= 400

:func:`tune` is the engine of ``asyncdoctor tune``: it sweeps concurrency levels
against an operation, finds the knee and returns a :class:`TuneResult`.

:func:`run_bench` is the engine of ``asyncdoctor bench http``: it measures
every client on every event loop at several concurrency levels, each in a
fresh process, in interleaved rounds, and returns a :class:`BenchReport`.

The optional clients and loops (aiohttp, httpx, uvloop) come with the
``bench`` extra and are imported only when used; a missing one raises
:class:`MissingDependency`, whose message says what to install.
"""

from ._bench import BenchReport as BenchReport
from ._bench import BenchSettings as BenchSettings
from ._bench import run_bench as run_bench
from ._clients import RequestFailed as RequestFailed
from ._clients import available_clients as available_clients
from ._clients import default_client as default_client
from ._clients import open_client as open_client
from ._missing import MissingDependency as MissingDependency
from ._server import LoopbackServer as LoopbackServer
from ._server import ServerStartError as ServerStartError
from ._tune import AdaptiveResult as AdaptiveResult
from ._tune import LevelResult as LevelResult
from ._tune import TuneError as TuneError
from ._tune import TuneProgress as TuneProgress
from ._tune import TuneResult as TuneResult
from ._tune import TuneSettings as TuneSettings
from ._tune import fixed_op as fixed_op
from ._tune import tune as tune

__all__ = [
    "AdaptiveResult",
    "BenchReport",
    "BenchSettings",
    "LevelResult",
    "LoopbackServer",
    "MissingDependency",
    "RequestFailed",
    "ServerStartError",
    "TuneError",
    "TuneProgress",
    "TuneResult",
    "TuneSettings",
    "available_clients",
    "default_client",
    "fixed_op",
    "open_client",
    "run_bench",
    "tune",
]
