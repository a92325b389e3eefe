"""Source trees to benchmark asyncdoctor on, fetched as pinned sdists from PyPI.

Each named project is downloaded with::

    python -m pip download --no-deps --no-binary :all: NAME==VERSION -d TMP

and its sdist (``.tar.gz`` or ``.zip``) is unpacked with the standard library into
``bench/_corpus/<name>/`` (the sdist's single top-level ``NAME-VERSION/`` folder is
stripped, so ``bench/_corpus/django/django/`` is Django's package).  A marker file
``.bench-corpus`` records the version; a tree whose marker matches its pin is left
alone, so running this again is cheap (idempotent).  A tree with another version
is replaced.

The pseudo-corpus ``stdlib`` is the running interpreter's standard library
(``sysconfig.get_paths()["stdlib"]``, see :func:`stdlib_path`).  That folder also holds
``site-packages`` (thousands of third-party files that differ from machine to
machine) and each tool has its own default excludes, so the benchmark uses a
filtered copy instead: every ``.py`` file of the standard library outside
``site-packages``, ``__pycache__`` and ``venv`` (which ruff and asyncdoctor skip by
default; see ``SKIP_DIRS``) is copied to ``bench/_corpus/stdlib/`` (no
download; a few seconds), with a stub ``pyproject.toml`` so that the copy is a
project root of its own.  Every tool then sees exactly the same files.

Run it::

    python bench/corpus.py              # everything: all pins plus stdlib
    python bench/corpus.py django httpx # only these
    python bench/corpus.py --list       # show pins, paths and line counts

It is also a module: :func:`ensure`, :func:`corpus_path`, :func:`package_dir`,
:func:`tests_dir`, :func:`count_lines`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import sysconfig
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CORPUS_DIR = BENCH_DIR / "_corpus"
MARKER = ".bench-corpus"


@dataclass(frozen=True)
class Project:
    """A pinned PyPI project and where its code lives inside the unpacked sdist."""

    name: str
    version: str
    package: str  # the import package's folder, relative to the sdist root
    tests: str | None = "tests"  # the test suite's folder, if the sdist ships one
    wheel: bool = False  # take the pure wheel even if there is an sdist


# Current releases (checked with `pip index versions NAME` for Python 3.11).
PROJECTS: dict[str, Project] = {
    p.name: p
    for p in (
        Project("aiohttp", "3.14.5", "aiohttp"),
        Project("httpx", "0.28.1", "httpx"),
        Project("starlette", "1.10.0", "starlette"),
        Project("uvicorn", "0.54.0", "uvicorn"),
        Project("anyio", "4.16.0", "src/anyio"),
        Project("django", "5.2.19", "django"),
    )
}

# Real asyncio applications and libraries for the precision benchmark
# (bench/realworld.py).  None of these was used to tune the checker before
# the benchmark was built; the projects kept for judging (see
# bench/realworld.md) are deliberately absent.
REALWORLD: dict[str, Project] = {
    p.name: p
    for p in (
        Project("vllm", "0.34.0", "vllm"),
        Project("litellm", "1.110.2", "litellm"),
        Project("mitmproxy", "12.3.1", "mitmproxy", tests=None),
        Project("esphome", "2026.10.0", "esphome"),
        Project("jupyter-server", "2.21.1", "jupyter_server"),
        Project("textual", "8.2.8", "src/textual"),
        Project("nicegui", "3.18.0", "nicegui"),
        Project("chainlit", "2.12.0", "chainlit"),
        Project("distributed", "2026.8.0", "distributed"),
        Project("rasa", "3.6.21", "rasa"),
        Project("twitchio", "3.3.2", "twitchio"),
        Project("telethon", "1.45.0", "telethon"),
        Project("pyrogram", "2.0.106", "pyrogram"),
        Project("faststream", "0.7.8", "faststream"),
        Project("kopf", "1.45.2", "kopf"),
        Project("pyatv", "0.18.0", "pyatv"),
        Project("hikari", "2.7.0", "hikari"),
        Project("nats-py", "2.16.0", "src/nats"),
    )
}
PROJECTS.update(REALWORLD)

# A second, fresh set (bench/realworld.py --set fresh): ten applications whose findings
# were first judged by helpers who had not seen the checker's output on them, after the
# checker had been tuned on REALWORLD (bench/realworld/verdicts-fresh.tsv).
REALWORLD_FRESH: dict[str, Project] = {
    p.name: p
    for p in (
        Project("open-webui", "0.12.4", "open_webui", tests=None, wheel=True),
        Project("letta", "0.16.8", "letta"),
        Project("khoj", "1.42.10", "src/khoj"),
        Project("crewai", "1.15.30", "src/crewai"),
        Project("semantic-kernel", "1.45.0", "semantic_kernel"),
        Project("opsdroid", "0.31.0", "opsdroid"),
        Project("jupyterhub", "6.1.1", "jupyterhub"),
        Project("mem0ai", "2.2.1", "mem0"),
        Project("freqtrade", "2026.9", "freqtrade"),
        Project("maubot", "0.6.0", "maubot"),
    )
}
PROJECTS.update(REALWORLD_FRESH)

# A third set (bench/realworld.py --set fresh2): ten more projects, judged first by
# helpers after the checker had been tuned on both sets above, and never tuned on
# before that judging (bench/realworld/verdicts-fresh2.tsv).
REALWORLD_FRESH2: dict[str, Project] = {
    p.name: p
    for p in (
        Project("gradio", "6.31.0", "gradio", tests=None, wheel=True),
        Project("browser-use", "0.13.14", "browser_use"),
        Project("pipecat-ai", "1.14.0", "src/pipecat"),
        Project("llama-index-core", "0.14.25", "llama_index/core"),
        Project("python-telegram-bot", "22.8", "src/telegram"),
        Project("gns3-server", "3.0.6", "gns3server"),
        Project("zigpy", "2.4.0", "zigpy"),
        Project("livekit-agents", "1.8.9", "livekit/agents"),
        Project("slack-bolt", "1.30.0", "slack_bolt"),
        Project("mcp", "2.3.0", "src/mcp"),
    )
}
PROJECTS.update(REALWORLD_FRESH2)

# A fourth set (bench/realworld.py --set fresh3): twelve more projects, judged first by
# helpers after the checker had been tuned on the three sets above, never tuned on before.
REALWORLD_FRESH3: dict[str, Project] = {
    p.name: p
    for p in (
        Project("reflex", "0.10.1", "reflex"),
        Project("openhands-ai", "1.11.0", "openhands"),
        Project("bentoml", "1.4.40", "src"),
        Project("datasette", "0.65.5", "datasette"),
        Project("appdaemon", "4.5.13", "appdaemon"),
        Project("metagpt", "0.8.2", "metagpt"),
        Project("autogen-core", "0.7.5", "src/autogen_core"),
        Project("nonebot2", "2.5.0", "nonebot"),
        Project("red-discordbot", "3.5.24", "redbot"),
        Project("xknx", "4.0.0", "xknx"),
        Project("pymodbus", "3.16.1", "pymodbus"),
        Project("quart", "0.23.1", "src/quart"),
    )
}
PROJECTS.update(REALWORLD_FRESH3)

# A fifth set (bench/realworld.py --set fresh4): judged first by helpers after the
# checker had been tuned on the four sets above, never tuned on.
REALWORLD_FRESH4: dict[str, Project] = {
    p.name: p
    for p in (
        Project("haystack-ai", "3.4.1", "haystack", wheel=True, tests=None),
        Project("python-socketio", "5.18.1", "src/socketio"),
        Project("langgraph", "1.2.24", "langgraph", wheel=True, tests=None),
        Project("qdrant-client", "1.20.0", "qdrant_client"),
        Project("mautrix", "0.21.1", "mautrix"),
        Project("aiocoap", "0.4.17", "aiocoap"),
        Project("vkbottle", "4.11.0", "vkbottle"),
        Project("gpt-researcher", "0.16.1", "gpt_researcher"),
        Project("litserve", "0.2.19", "src/litserve"),
        Project("bleak", "3.1.0", "bleak"),
    )
}
PROJECTS.update(REALWORLD_FRESH4)

# A sixth set (bench/realworld.py --set fresh5): judged first by helpers who had not seen
# the checker's output, before any tuning on it.
REALWORLD_FRESH5: dict[str, Project] = {
    p.name: p
    for p in (
        Project("faust-streaming", "0.15.3", "faust"),
        Project("octobot", "2.1.1", "octobot"),
        Project("taskiq", "0.13.0", "taskiq"),
        Project("matrix-nio", "0.26.0", "src/nio"),
        Project("scrapli", "2026.10.14", "scrapli"),
        Project("fastmcp", "4.1.6", "fastmcp_slim/fastmcp"),
        Project("strawberry-graphql", "0.341.2", "strawberry"),
        Project("camel-ai", "0.2.90", "camel"),
        Project("piccolo", "1.38.0", "piccolo"),
        Project("channels", "4.3.2", "channels"),
        Project("temporalio", "1.35.0", "temporalio"),
    )
}
PROJECTS.update(REALWORLD_FRESH5)
STDLIB = "stdlib"
ALL_NAMES: tuple[str, ...] = (*PROJECTS, STDLIB)

STDLIB_PYPROJECT = """\
# Written by bench/corpus.py: marks this copy of the standard library as a project
# root of its own for the benchmarks.
[project]
name = "stdlib-copy"
version = "0"
"""

# Folders never counted nor copied: what ruff (and asyncdoctor) skip by default.
# The standard library has a `venv` package, which they skip: it is left out of
# the stdlib copy, so that flake8, which doesn't skip it, sees the same files.
SKIP_DIRS = frozenset(
    {
        "__pycache__", "site-packages", ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv",
        ".eggs", "build", "dist", "_build", "buck-out", "node_modules", "__pypackages__",
        ".mypy_cache", ".pytest_cache", ".ruff_cache",
    }
)  # fmt: skip


def log(msg: str) -> None:
    print(f"[corpus] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- paths


def stdlib_path() -> Path:
    """The running interpreter's standard library (contains site-packages too)."""
    return Path(sysconfig.get_paths()["stdlib"]).resolve()


def corpus_path(name: str) -> Path:
    """Where the corpus tree ``name`` lives (whether or not it exists yet)."""
    if name != STDLIB and name not in PROJECTS:
        raise KeyError(f"unknown corpus {name!r}; known: {', '.join(ALL_NAMES)}")
    return CORPUS_DIR / name


def package_dir(name: str) -> Path:
    """The import package inside a project's sdist (the stdlib copy for ``stdlib``)."""
    if name == STDLIB:
        return corpus_path(name)
    return corpus_path(name) / PROJECTS[name].package


def tests_dir(name: str) -> Path | None:
    """The project's test folder, if its sdist ships one."""
    if name == STDLIB:
        return None
    tests = PROJECTS[name].tests
    if tests is None:
        return None
    path = corpus_path(name) / tests
    return path if path.is_dir() else None


# ------------------------------------------------------------------------ counting


def iter_py_files(root: Path) -> Iterator[Path]:
    """Every ``.py`` file under ``root`` (or ``root`` itself), in a stable order."""
    if root.is_file():
        if root.suffix == ".py":
            yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for fn in sorted(filenames):
            if fn.endswith(".py"):
                yield Path(dirpath, fn)


def count_lines(*roots: Path) -> tuple[int, int]:
    """(files, lines) of the ``.py`` files under ``roots``.

    A line is a newline-terminated run of bytes; a last line without a newline
    counts too (same as ``wc -l`` plus the unterminated tail).
    """
    files = lines = 0
    for root in roots:
        for path in iter_py_files(root):
            data = path.read_bytes()
            files += 1
            lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return files, lines


# ----------------------------------------------------------------------- fetching


def _read_marker(dest: Path) -> str | None:
    try:
        return (dest / MARKER).read_text().strip()
    except OSError:
        return None


def _unpack(archive: Path, into: Path) -> None:
    """Unpack an sdist safely (no absolute paths, no escaping ``..``)."""
    name = archive.name
    if name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".tar")):
        with tarfile.open(archive) as tf:
            tf.extractall(into, filter="data")
    elif name.endswith((".zip", ".whl")):
        with zipfile.ZipFile(archive) as zf:
            base = into.resolve()
            for member in zf.namelist():
                target = (into / member).resolve()
                if not target.is_relative_to(base):
                    raise RuntimeError(f"{archive.name}: unsafe member path {member!r}")
            zf.extractall(into)
    else:
        raise RuntimeError(f"don't know how to unpack {archive.name}")


def _release_file(project: Project) -> tuple[str, str, str]:
    """(url, filename, sha256) of the pinned release's sdist, or of its pure wheel.

    Read from PyPI's JSON API, so nothing is built (``pip download`` of an sdist
    prepares its metadata, which for some projects means installing a compiler
    tool chain or torch).  A few projects (mitmproxy) publish wheels only; their
    ``py3-none-any`` wheel holds the same source files.
    """
    url = f"https://pypi.org/pypi/{project.name}/json"
    with urllib.request.urlopen(url, timeout=60) as resp:
        files = json.load(resp).get("releases", {}).get(project.version, [])
    sdists = [f for f in files if f["packagetype"] == "sdist"]
    wheels = [f for f in files if f["filename"].endswith("-none-any.whl")]
    if project.wheel:
        sdists = []
    chosen = (sdists or wheels or [None])[0]
    if chosen is None:
        raise RuntimeError(f"{project.name}=={project.version}: no sdist and no pure wheel on PyPI")
    # A mirror may give the file's address relative to the JSON document's.
    return urllib.parse.urljoin(url, chosen["url"]), chosen["filename"], chosen["digests"]["sha256"]


def _fetch_project(project: Project, dest: Path) -> None:
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{project.name}-", dir=CORPUS_DIR) as tmp:
        tmpdir = Path(tmp)
        url, filename, sha256 = _release_file(project)
        archive = tmpdir / filename
        log(f"downloading {project.name}=={project.version} ({filename})")
        digest = hashlib.sha256()
        with urllib.request.urlopen(url, timeout=300) as resp, archive.open("wb") as out:
            while chunk := resp.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise RuntimeError(f"{filename}: sha256 mismatch (PyPI says {sha256})")
        unpacked = tmpdir / "src"
        unpacked.mkdir()
        _unpack(archive, unpacked)
        tops = list(unpacked.iterdir())
        root = tops[0] if len(tops) == 1 and tops[0].is_dir() else unpacked
        if not (root / project.package).is_dir():
            raise RuntimeError(f"{project.name}: no package folder {project.package!r} in {filename}")
        (root / MARKER).write_text(f"{project.name}=={project.version}\n")
        if dest.exists():
            shutil.rmtree(dest)
        root.rename(dest)
    log(f"{project.name}: unpacked into {dest}")


def _copy_stdlib(dest: Path) -> None:
    src = stdlib_path()
    tag = _wanted_marker(STDLIB)
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".stdlib-", dir=CORPUS_DIR) as tmp:
        root = Path(tmp) / "stdlib"
        root.mkdir()
        for path in iter_py_files(src):
            target = root / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        # Its own project root, so that no tool walks up to the repo's pyproject.toml
        # (whose [tool.asyncdoctor] exclude lists bench/_corpus).
        (root / "pyproject.toml").write_text(STDLIB_PYPROJECT)
        (root / MARKER).write_text(tag + "\n")
        if dest.exists():
            shutil.rmtree(dest)
        root.rename(dest)
    log(f"stdlib: copied .py files of {src} (minus site-packages) into {dest}")


def _wanted_marker(name: str) -> str:
    if name == STDLIB:
        return (
            f"stdlib {sys.version.split()[0]} {stdlib_path()} (copy v2: pyproject.toml, no venv/)"
        )
    p = PROJECTS[name]
    return f"{p.name}=={p.version}"


def ensure(name: str, *, force: bool = False) -> Path:
    """Make sure corpus ``name`` is present (download or copy it if not); return its path."""
    dest = corpus_path(name)
    if not force and dest.is_dir() and _read_marker(dest) == _wanted_marker(name):
        return dest
    if name == STDLIB:
        _copy_stdlib(dest)
    else:
        _fetch_project(PROJECTS[name], dest)
    return dest


def ensure_all(names: list[str] | tuple[str, ...], *, force: bool = False) -> dict[str, Path]:
    return {name: ensure(name, force=force) for name in names}


# ----------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Fetch pinned sdists (and a filtered stdlib copy) into bench/_corpus/."
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"corpora to fetch (default: all of {', '.join(ALL_NAMES)})",
    )
    parser.add_argument("--force", action="store_true", help="re-download even if present")
    parser.add_argument(
        "--list", action="store_true", help="only show pins, paths and line counts of present trees"
    )
    args = parser.parse_args(argv)
    names: list[str] = args.names or list(ALL_NAMES)
    unknown = [n for n in names if n not in ALL_NAMES]
    if unknown:
        parser.error(f"unknown corpus {', '.join(unknown)}; known: {', '.join(ALL_NAMES)}")

    if not args.list:
        ensure_all(names, force=args.force)

    print("| corpus | version | package dir | files | lines | tests dir | files | lines |")
    print("|---|---|---|--:|--:|---|--:|--:|")
    for name in names:
        version = PROJECTS[name].version if name in PROJECTS else sys.version.split()[0]
        pkg = package_dir(name)
        if not pkg.exists():
            print(f"| {name} | {version} | (not fetched) | | | | | |")
            continue
        pf, pl = count_lines(pkg)
        tdir = tests_dir(name)
        tf, tl = count_lines(tdir) if tdir else (0, 0)
        rel = pkg.relative_to(BENCH_DIR)
        trel = tdir.relative_to(BENCH_DIR) if tdir else "-"
        print(f"| {name} | {version} | {rel} | {pf:,} | {pl:,} | {trel} | {tf:,} | {tl:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
