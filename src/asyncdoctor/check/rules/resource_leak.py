"""ADC401 resource-leak."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .._analysis import FunctionContext, Report
from ._base import Rule, register
from ._ownership import (
    analyse,
    closer_text,
    ctor_display,
    handle_name,
    is_async_resource,
    with_text,
)


@register
class ResourceLeak(Rule):
    """## What it does
    Finds clients, connections, pools, files and streams created in a
    function that are never closed: an `aiohttp.ClientSession`,
    `httpx.AsyncClient`, `asyncpg` connection or pool, `aiofiles` file,
    `aiosqlite`/`aiomysql`/`psycopg` connection, `redis.asyncio` client,
    `websockets` connection or the writer of `asyncio.open_connection`,
    bound to a local name that is neither used in `async with`, nor closed,
    nor handed to anyone else. It also finds the same resources used once
    without being bound (`await aiohttp.ClientSession().get(url)`,
    `async with httpx.AsyncClient().stream(...)`): nothing can close those.

    A close counts when one of the resource's close methods is called on
    it. When it is not in a `finally:` block, an explicit `return` or
    `raise` after the creation that leaves the function without passing a
    close (or a `finally:` that closes) is reported, naming its line.
    Exceptions raised by the calls in between are not followed: that would
    flag every close outside a `finally:`.

    Nothing is reported when the resource is owned by someone else: it is
    returned or yielded (factories, `@asynccontextmanager` functions and
    fixtures), stored on `self`, an attribute, a subscript or in a
    container (`app["pool"] = pool`), handed to a constructor or to
    anything that may keep it (`Client(session=session)`,
    `stack.enter_async_context(session)`,
    `stack.push_async_callback(session.close)`, a background task started
    with `asyncio.create_task(worker(session))`), captured by a nested
    function that closes or passes it on, or declared `global`/`nonlocal`.
    Lending it to a helper whose result is awaited or gathered
    (`await fetch(session, url)`,
    `asyncio.gather(*[fetch(session, u) for u in urls])`) is not a hand-off:
    such helpers do not close what they are given. Module-level clients are
    the recommended pattern and are never reported. Synchronous clients
    (`requests.Session`, `httpx.Client`) are checked in `async def`
    functions only. A resource that is never used for I/O (only its
    attributes are read, as constructor tests do), or that is created inside
    `with pytest.raises(...)` or `with mock.patch(...)`, opens no connection
    and is not reported; neither is an `aiohttp.TCPConnector`, which the
    session it is given to closes.

    ## Why is this bad?
    An unclosed client keeps its sockets and connection pool open until the
    garbage collector happens to run, which on a busy server means running
    out of file descriptors or database connections. `aiohttp` and
    `asyncpg` log `Unclosed client session` / `unclosed connection`
    warnings, pending data may never be flushed, and connections stay
    checked out on the server side.

    ## Example
    ```python
    import aiohttp


    async def fetch_text(url: str) -> str:
        session = aiohttp.ClientSession()
        async with session.get(url) as response:
            return await response.text()
    ```

    ## Use instead
    ```python
    import aiohttp


    async def fetch_text(url: str) -> str:
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                return await response.text()
    ```
    Better still, create one session for the whole application and reuse it
    (see ADC402).

    ## Fix safety
    No automatic fix: where the resource should be closed depends on how
    long it is meant to live.
    """

    code = "ADC401"
    name = "resource-leak"
    category = "resources"
    summary = "Client, connection or file created and never closed"
    sync_functions = True

    def check_function(self, fn: FunctionContext) -> Iterator[Report]:
        for c in analyse(fn):
            if c.fate not in ("leak", "inline", "exit"):
                continue
            if not fn.is_async and not is_async_resource(c.key):
                continue
            what = ctor_display(c.key, c.res)
            with_form = with_text(c)
            close_form = f"call `{closer_text(c)}` in a `finally:` block"
            fix = f"use `{with_form}` or {close_form}" if with_form else close_form
            if c.fate == "inline":
                name = handle_name(c)
                how = (
                    f"use `{with_form}` and make the calls on `{name}`"
                    if with_form
                    else f"bind it to a name and {close_form}"
                )
                message = f"{what} created here is used once and never closed: {how}"
            elif c.fate == "exit" and c.exit_node is not None:
                kind = "return" if isinstance(c.exit_node, ast.Return) else "raise"
                message = (
                    f"{what} created here is not closed when the `{kind}` at line "
                    f"{c.exit_node.lineno} is taken: {fix}"
                )
            else:
                message = f"{what} created here is never closed: {fix}"
            yield fn.report(self.code, c.call, message)
