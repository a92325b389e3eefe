"""ADC102 thread-lock-across-await and ADC504 local-limiter: positions and messages.

What each rule reports (and does not) is in the fixtures
``single/thread_lock_across_await*.py`` and ``single/local_limiter*.py``;
these tests pin where the findings point and what they say.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from asyncdoctor.check import Config, Finding, check_paths, check_source


def findings(source: str, code: str, module: str = "app") -> list[Finding]:
    config = Config(cache=False, select=(code,))
    return [f for f in check_source(textwrap.dedent(source), config=config, module=module) if f.code == code]


def test_thread_lock_is_reported_on_the_with_line() -> None:
    [finding] = findings(
        """
        import asyncio
        import threading


        class Cache:
            def __init__(self) -> None:
                self._lock = threading.RLock()

            async def refresh(self) -> None:
                with self._lock:
                    await asyncio.sleep(1)
        """,
        "ADC102",
    )
    assert (finding.line, finding.column, finding.end_line) == (11, 9, 11)
    assert "`with self._lock:` holds a `threading.RLock` across `await asyncio.sleep(1)` (line 12)" in (
        finding.message
    )
    assert "blocks the whole event loop" in finding.message
    assert "asyncio.Lock" in finding.message and "release the lock before awaiting" in finding.message


def test_thread_lock_acquire_is_reported_on_the_acquire_call() -> None:
    [finding] = findings(
        """
        import asyncio
        import threading

        LOCK = threading.Lock()


        async def update() -> None:
            if LOCK.acquire(timeout=1):
                try:
                    await asyncio.sleep(0)
                finally:
                    LOCK.release()
        """,
        "ADC102",
    )
    assert (finding.line, finding.column) == (9, 8)
    assert finding.message.startswith("`LOCK.acquire()` holds a `threading.Lock` across `await asyncio.sleep(0)`")


def test_thread_lock_type_must_be_known() -> None:
    source = """
        import asyncio


        class Cache:
            def __init__(self, lock) -> None:
                self._lock = lock

            async def refresh(self) -> None:
                with self._lock:
                    await asyncio.sleep(1)
        """
    assert findings(source, "ADC102") == []


def project_findings(root: Path, files: dict[str, str], code: str) -> list[Finding]:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    config = Config(root=root, cache=False, respect_gitignore=False, select=(code,))
    result = check_paths([root], config)
    assert not result.errors, result.errors
    return [f for f in result.findings if f.code == code]


_RATELIMIT = """
    import threading

    STRIPE_LOCK = threading.Lock()
    """


def test_imported_thread_lock_is_reported_where_it_is_held(tmp_path: Path) -> None:
    [finding] = project_findings(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/ratelimit.py": _RATELIMIT,
            "shop/payments.py": """
                import asyncio

                from .ratelimit import STRIPE_LOCK


                async def charge() -> None:
                    async with asyncio.timeout(5):
                        with STRIPE_LOCK:
                            await asyncio.sleep(1)
            """,
        },
        "ADC102",
    )
    assert Path(finding.path).name == "payments.py"
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (9, 9, 9, 25)
    assert finding.message.startswith(
        "`with STRIPE_LOCK:` holds a `threading.Lock` across `await asyncio.sleep(1)` (line 10)"
    )
    assert "use an `asyncio.Lock` with `async with`" in finding.message


def test_imported_thread_lock_acquire_and_noqa(tmp_path: Path) -> None:
    [finding] = project_findings(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/ratelimit.py": _RATELIMIT,
            "shop/payments.py": """
                import asyncio

                from shop import ratelimit


                async def charge() -> None:
                    ratelimit.STRIPE_LOCK.acquire()
                    await asyncio.sleep(1)
                    ratelimit.STRIPE_LOCK.release()


                async def refund() -> None:
                    with ratelimit.STRIPE_LOCK:  # noqa: ADC102
                        await asyncio.sleep(1)
            """,
        },
        "ADC102",
    )
    assert (finding.line, finding.column) == (8, 5)
    assert finding.message.startswith("`ratelimit.STRIPE_LOCK.acquire()` holds a `threading.Lock`")


def test_process_lock_message_does_not_offer_an_asyncio_lock() -> None:
    [finding] = findings(
        """
        import asyncio
        import multiprocessing

        LOCK = multiprocessing.Lock()


        async def update() -> None:
            with LOCK:
                await asyncio.sleep(0)
        """,
        "ADC102",
    )
    assert finding.message.startswith("`with LOCK:` holds a `multiprocessing.Lock` across")
    assert "release the lock before awaiting" in finding.message
    assert "use an `asyncio.Lock`" not in finding.message


def test_local_limiter_is_reported_on_the_creation() -> None:
    [finding] = findings(
        """
        import asyncio


        async def fetch(url: str) -> str:
            limit = asyncio.Semaphore(10)
            async with limit:
                await asyncio.sleep(0)
                return url
        """,
        "ADC504",
    )
    assert (finding.line, finding.column, finding.end_line) == (6, 5, 6)
    assert finding.message.startswith(
        "`limit = asyncio.Semaphore(10)` makes a new `Semaphore` on every call of `fetch()`"
    )
    assert "concurrent calls are not bounded at all" in finding.message


def test_local_lock_message_speaks_of_serialising() -> None:
    [finding] = findings(
        """
        import asyncio


        async def save(data: dict[str, str]) -> None:
            lock = asyncio.Lock()
            async with lock:
                await asyncio.sleep(0)
        """,
        "ADC504",
    )
    assert "concurrent calls are not serialised" in finding.message


def test_local_limiter_is_not_reported_in_test_code() -> None:
    source = """
        import asyncio


        async def test_lock() -> None:
            lock = asyncio.Lock()
            async with lock:
                assert lock.locked()
        """
    assert findings(source, "ADC504") == []
    assert findings(source.replace("test_lock", "helper"), "ADC504", module="tests.test_locks") == []
