"""ADC101 blocking-call."""

from __future__ import annotations

from collections.abc import Iterator

from .._index import PClass, PFunc, ProjectIndex, ProjectReport
from ._base import Rule, register
from ._util import display_name, site_report


@register
class BlockingCall(Rule):
    """## What it does
    Finds calls inside `async def` functions that block the thread running
    the event loop: sleeping with `time.sleep`, synchronous HTTP clients
    (`requests`, `urllib`, `urllib3`, sync `httpx`), file and `os`/`shutil`
    operations, `subprocess`, synchronous database drivers (`sqlite3`,
    `psycopg2`, sync `psycopg`, `pymysql`, `pymongo`, sync `redis`), sockets,
    `input()`, waits on `threading` locks and events, `queue.Queue`,
    `concurrent.futures` results, and heavy CPU calls such as
    `hashlib.pbkdf2_hmac`.

    It also follows calls: a synchronous helper that makes a blocking call,
    directly or through other helpers, in the same module or in another one,
    is itself blocking, and the finding names the whole chain, for example
    `get_token() -> requests.post() at shop/auth.py:12`. Methods are followed
    through objects of known type (`self.session = requests.Session()` then
    `self.session.get(...)`), including inherited ones. Functions passed to
    `asyncio.to_thread`, `loop.run_in_executor` and the like are not called on
    the loop, so they are not flagged.

    ## Why is this bad?
    An event loop runs one thing at a time. While a blocking call runs, no
    other task makes progress: requests queue up, timeouts fire, heartbeats
    are missed. One `requests.get` that takes two seconds freezes every
    connection your server holds for two seconds.

    ## Example
    ```python
    import time

    import requests


    async def fetch_status(url: str) -> int:
        response = requests.get(url, timeout=5)
        time.sleep(1)
        return response.status_code
    ```

    ## Use instead
    ```python
    import asyncio

    import httpx


    async def fetch_status(url: str) -> int:
        async with httpx.AsyncClient() as client:
            response = await client.get(url, timeout=5)
        await asyncio.sleep(1)
        return response.status_code
    ```
    When there is no async equivalent, run the blocking function in a worker
    thread: `await asyncio.to_thread(blocking_function, arg)`.

    ## Options
    In `[tool.asyncdoctor]`: `blocking-functions` adds your own blocking
    functions (`"mylib.legacy.query"`, `"mylib.Client.*"` for every method of a
    class); `safe-functions` declares functions that must never be reported
    or followed (for example a helper that only blocks for microseconds).

    ## Fix safety
    There is no automatic fix: the async replacement depends on the library.
    """

    code = "ADC101"
    name = "blocking-call"
    category = "blocking"
    summary = "Blocking call inside an async function"

    def check_project(self, index: ProjectIndex) -> Iterator[ProjectReport]:
        for info, summary in index.iter_functions():
            if not info.is_async:
                continue
            for site in info.calls:
                value = index.evaluate(site.ref)
                if value is None:
                    continue
                blocked = index.blocking(site, value, summary)
                if blocked is None:
                    continue
                name = display_name(index, value)
                if blocked.chain and isinstance(value, PFunc | PClass):
                    path = " -> ".join(step.partition(" at ")[0] for step in blocked.chain)
                    where = blocked.chain[-1].partition(" at ")[2]
                    message = (
                        f"`{name}()` blocks the event loop: it calls {path} at {where}, which "
                        f"{blocked.what}; make it async or run it in a thread with "
                        f"`await asyncio.to_thread({name.rpartition('.')[2]}, ...)`"
                    )
                    chain = (f"{name}()", *blocked.chain)
                else:
                    message = f"`{name}()` {blocked.what}, blocking the event loop; {blocked.instead}"
                    chain = ()
                yield site_report(summary, self.code, site, message, chain)
