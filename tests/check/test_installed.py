"""Learning from installed libraries' source (``learn-installed``), end to end through ``check_paths``.

Each test installs a small library into a folder of its own that it puts on
``sys.path``, the way pip installs into site-packages, and checks a project
that uses it.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from asyncdoctor.check import Config, _installed, check_paths

LIBRARY = {
    "slowsdk/__init__.py": "from .client import Client, connect\n",
    "slowsdk/client.py": """
        import time

        from ._transport import send


        class Client:
            def fetch(self, item):
                return send("GET", item)

            def pause(self):
                time.sleep(2)

            async def afetch(self, item):
                return item

            def local(self):
                return item


        async def connect(url):
            time.sleep(5)  # blocking inside the library: never reported there
            return Client()
    """,
    "slowsdk/_transport.py": """
        import requests


        def send(method, path):
            return requests.request(method, "https://api.example.com/" + path, timeout=10)
    """,
}

PROJECT = {
    "app.py": """
        import slowsdk
        from slowsdk import Client


        async def handler(item):
            c = Client()
            c.fetch(item)
            c.afetch(item)
            c.local()
            c.pause()
            slowsdk.connect("x")
            return await c.afetch(item)
    """,
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site-packages"
    write(folder, LIBRARY)
    monkeypatch.syspath_prepend(str(folder))
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root, PROJECT)
    return root


def found(root: Path, **options: object) -> list[tuple[str, int, str]]:
    result = check_paths([root], Config(root=root, cache=False, **options))  # type: ignore[arg-type]
    assert result.errors == ()
    return [(Path(f.path).name, f.line, f.code) for f in result.findings]


def test_library_functions_resolve_like_the_projects(site: Path, project: Path) -> None:
    assert found(project) == [
        ("app.py", 7, "ADC101"),  # fetch() -> send() -> requests.request()
        ("app.py", 8, "ADC201"),  # an async def of the library, not awaited
        ("app.py", 10, "ADC101"),  # pause() -> time.sleep()
        ("app.py", 11, "ADC201"),
    ]


def test_the_message_names_the_library_and_its_file(site: Path, project: Path) -> None:
    result = check_paths([project], Config(root=project, cache=False))
    fetch = next(f for f in result.findings if f.line == 7)
    assert "`slowsdk.client.Client.fetch()`" in fetch.message
    assert "at slowsdk/_transport.py:5" in fetch.message
    assert "run it in a thread" in fetch.message and "make it async" not in fetch.message


def test_off_switch_and_nothing_installed(site: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert found(project, learn_installed=False) == []
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(site)])
    assert found(project) == []


def test_libraries_the_knowledge_covers_are_not_read(tmp_path: Path, site: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # A package named like a known library: the tables win over its source.
    write(site, {"requests/__init__.py": "def get(url, **kw):\n    return url\n"})
    root = tmp_path / "p2"
    write(root, {"app.py": "import requests\n\n\nasync def f():\n    requests.get('u')\n"})
    assert found(root) == [("app.py", 5, "ADC101")]


def test_the_projects_own_package_is_never_read_from_site_packages(tmp_path: Path, site: Path) -> None:
    # An installed copy of the project itself (pip install .) is not what is checked.
    write(site, {"shop/__init__.py": "", "shop/api.py": "import time\n\n\ndef ping():\n    time.sleep(9)\n"})
    root = tmp_path / "p3"
    write(root, {
        "shop/__init__.py": "",
        "shop/api.py": "def ping():\n    return 1\n",
        "shop/app.py": "from shop.api import ping\n\n\nasync def f():\n    ping()\n",
    })
    assert found(root) == []


def test_reading_is_bounded(site: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_installed, "MAX_FILES", 1)
    # Only slowsdk/__init__.py is read: its names lead nowhere within the limit.
    assert found(project) == []


def test_a_changed_library_is_read_again(site: Path, project: Path, tmp_path: Path) -> None:
    config = Config(root=project, cache=True, cache_dir=tmp_path / "cache")
    first = check_paths([project], config)
    assert [f.line for f in first.findings] == [7, 8, 10, 11]
    again = check_paths([project], config)
    assert again.findings == first.findings and again.files_from_cache == again.files_checked
    # A new version: pause() no longer sleeps.
    client = site / "slowsdk" / "client.py"
    text = client.read_text().replace("time.sleep(2)", "return None")
    client.write_text(text)
    st = client.stat()
    os.utime(client, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    changed = check_paths([project], config)
    assert [f.line for f in changed.findings] == [7, 8, 11]


def test_a_broken_library_file_costs_nothing(site: Path, project: Path) -> None:
    (site / "slowsdk" / "_transport.py").write_text("def send(:\n")
    # The chain through the broken file is lost; the rest is still learned; no error is reported.
    assert found(project) == [("app.py", 8, "ADC201"), ("app.py", 10, "ADC101"), ("app.py", 11, "ADC201")]


def test_the_cli_switch(site: Path, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from asyncdoctor.cli import main

    assert main(["check", str(project), "--no-cache", "--no-learn-installed"]) == 0
    capsys.readouterr()
    assert main(["check", str(project), "--no-cache"]) == 1
    assert "slowsdk.client.Client.fetch" in capsys.readouterr().out
