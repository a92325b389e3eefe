"""Which files a run checks."""

from __future__ import annotations

import os
import sysconfig
import time
from pathlib import Path

import pytest

from asyncdoctor.check._config import Config, ConfigError
from asyncdoctor.check._discovery import DEFAULT_EXCLUDES, PathError, discover_files


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")


def found(root: Path, *paths: str, **settings: object) -> list[str]:
    """The files discovered under ``root`` (POSIX, relative to it) for ``paths``."""
    config = Config(root=root, **settings)  # type: ignore[arg-type]
    targets = [root / path for path in paths] or [root]
    return [path.relative_to(root).as_posix() for path in discover_files(targets, config)]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A directory that looks like the top of a git work tree (no git needed)."""
    (tmp_path / ".git" / "info").mkdir(parents=True)
    return tmp_path


def test_walks_for_py_files_only(tmp_path: Path) -> None:
    touch(tmp_path, "a.py", "b.pyi", "c.txt", "pkg/__init__.py", "pkg/sub/m.py", "pkg/data.json")
    assert found(tmp_path) == ["a.py", "pkg/__init__.py", "pkg/sub/m.py"]


def test_result_is_absolute_sorted_and_deduplicated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path, "b.py", "a/z.py", "a/b.py")
    monkeypatch.chdir(tmp_path)
    files = discover_files(
        [Path("."), Path("a"), Path("./a/b.py"), tmp_path / "b.py"], Config(root=tmp_path)
    )
    assert files == sorted(files)
    assert all(path.is_absolute() for path in files)
    assert [path.relative_to(tmp_path).as_posix() for path in files] == ["a/b.py", "a/z.py", "b.py"]


def test_explicit_files_are_checked_whatever_their_name(tmp_path: Path) -> None:
    touch(tmp_path, "script", "stub.pyi", "build/gen.py", "excluded.py")
    assert found(
        tmp_path, "script", "stub.pyi", "build/gen.py", "excluded.py", exclude=("excluded.py",)
    ) == [
        "build/gen.py",
        "excluded.py",
        "script",
        "stub.pyi",
    ]


def test_force_exclude_applies_exclusions_to_explicit_paths(tmp_path: Path) -> None:
    touch(tmp_path, "keep.py", "excluded.py", "gen/x.py", ".venv/lib/y.py", "build/z.py")
    paths = ("keep.py", "excluded.py", "gen/x.py", ".venv/lib/y.py", "build/z.py", "gen")
    settings = {"exclude": ("excluded.py", "gen/"), "force_exclude": True}
    assert found(tmp_path, *paths, **settings) == ["keep.py"]


def test_default_excludes(tmp_path: Path) -> None:
    skipped = [f"{name}/x.py" for name in sorted(DEFAULT_EXCLUDES)]
    touch(tmp_path, "ok.py", "deep/node_modules/x.py", "deep/__pycache__/x.py", *skipped)
    assert found(tmp_path) == ["ok.py"]


def test_build_dist_and_venv_are_skipped_unless_they_are_packages(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "build/lib/pkg/mod.py",
        "dist/x.py",
        "venv/bin/activate_this.py",
        "pkg/build/__init__.py",
        "pkg/build/wheel.py",
        "stdlib/venv/__init__.py",
    )
    assert found(tmp_path) == [
        "pkg/build/__init__.py",
        "pkg/build/wheel.py",
        "stdlib/venv/__init__.py",
    ]


def test_any_virtual_environment_is_skipped(tmp_path: Path) -> None:
    touch(tmp_path, "env311/pyvenv.cfg", "env311/lib/x.py", "app.py")
    assert found(tmp_path) == ["app.py"]


def test_an_explicit_directory_is_walked_even_if_its_name_is_excluded(tmp_path: Path) -> None:
    touch(tmp_path, "lib/site-packages/pkg/__init__.py", "lib/site-packages/pkg/__pycache__/x.py")
    touch(tmp_path, "build/gen.py", "env/pyvenv.cfg", "env/lib/mod.py")
    assert found(tmp_path, "lib/site-packages") == ["lib/site-packages/pkg/__init__.py"]
    assert found(tmp_path, "build") == ["build/gen.py"]
    assert found(tmp_path, "env") == ["env/lib/mod.py"]


def test_exclude_patterns_are_gitignore_style_relative_to_the_root(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "src/app.py",
        "src/gen/x.py",
        "src/api_pb2.py",
        "gen/top.py",
        "tests/fixtures/f.py",
        "tests/test_a.py",
    )
    assert found(tmp_path, exclude=("/gen/", "*_pb2.py"), extend_exclude=("tests/fixtures",)) == [
        "src/app.py",
        "src/gen/x.py",
        "tests/test_a.py",
    ]


def test_exclude_patterns_prune_directories_below_an_explicit_one(tmp_path: Path) -> None:
    touch(tmp_path, "src/app.py", "src/gen/x.py")
    assert found(tmp_path, "src", exclude=("gen",)) == ["src/app.py"]


def test_an_explicitly_named_excluded_directory_is_walked(tmp_path: Path) -> None:
    touch(tmp_path, "tests/fixtures/a.py", "tests/fixtures/more/b.py", "tests/fixtures/c_pb2.py")
    settings = {"exclude": ("tests/fixtures", "*_pb2.py")}
    assert found(tmp_path, **settings) == []
    assert found(tmp_path, "tests/fixtures", **settings) == [
        "tests/fixtures/a.py",
        "tests/fixtures/more/b.py",
    ]


def test_exclude_patterns_outside_the_root_match_names(tmp_path: Path) -> None:
    touch(tmp_path, "other/a.py", "other/a_pb2.py", "other/gen/b.py")
    config = Config(root=tmp_path / "proj", exclude=("*_pb2.py", "/other/gen"))
    files = discover_files([tmp_path / "other"], config)
    assert [path.name for path in files] == ["a.py", "b.py"]


def test_invalid_exclude_pattern(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"invalid exclude pattern '!'"):
        found(tmp_path, exclude=("!",))


def test_missing_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PathError) as info:
        discover_files([Path("nope")], Config(root=tmp_path))
    assert str(info.value) == "path 'nope' does not exist"


# --- .gitignore ---------------------------------------------------------------------------------


def test_gitignore_files_and_info_exclude(repo: Path) -> None:
    touch(
        repo,
        "app.py",
        "scratch.py",
        "keep_scratch.py",
        "out/gen.py",
        "pkg/mod.py",
        "pkg/local.py",
        "pkg/sub/local.py",
        "pkg/sub/x.py",
        "private.py",
    )
    (repo / ".gitignore").write_text("# comment\n*scratch.py\n!keep_*.py\nout/\n", encoding="utf-8")
    (repo / "pkg" / ".gitignore").write_text("/local.py\nsub/x.py\n", encoding="utf-8")
    (repo / ".git" / "info" / "exclude").write_text("private.py\n", encoding="utf-8")
    assert found(repo) == ["app.py", "keep_scratch.py", "pkg/mod.py", "pkg/sub/local.py"]
    assert len(found(repo, respect_gitignore=False)) == 9


def test_deeper_gitignore_can_re_include(repo: Path) -> None:
    touch(repo, "a/gen.py", "b/gen.py")
    (repo / ".gitignore").write_text("gen.py\n", encoding="utf-8")
    (repo / "b" / ".gitignore").write_text("!gen.py\n", encoding="utf-8")
    assert found(repo) == ["b/gen.py"]


def test_gitignore_is_ignored_outside_a_git_work_tree(tmp_path: Path) -> None:
    touch(tmp_path, "a.py", "b.py")
    (tmp_path / ".gitignore").write_text("b.py\n", encoding="utf-8")
    assert found(tmp_path) == ["a.py", "b.py"]


def test_a_nested_repository_starts_applying_its_gitignore(tmp_path: Path) -> None:
    touch(tmp_path, "proj/a.py", "proj/b.py", "proj/.git/HEAD")
    (tmp_path / "proj" / ".gitignore").write_text("b.py\n", encoding="utf-8")
    assert found(tmp_path) == ["proj/a.py"]


def test_gitignore_above_an_explicit_directory_applies(repo: Path) -> None:
    touch(repo, "src/app.py", "src/gen/x.py", "src/pkg/tmp.py")
    (repo / ".gitignore").write_text("src/gen/\ntmp.py\n", encoding="utf-8")
    (repo / ".git" / "info" / "exclude").write_text("app.py\n", encoding="utf-8")
    assert found(repo, "src/pkg") == []
    assert found(repo, "src") == []
    (repo / ".git" / "info" / "exclude").write_text("", encoding="utf-8")
    assert found(repo, "src") == ["src/app.py"]


def test_an_explicit_gitignored_directory_is_walked(repo: Path) -> None:
    touch(repo, "generated/a.py", "generated/b.tmp.py")
    (repo / ".gitignore").write_text("generated/\n*.tmp.py\n", encoding="utf-8")
    assert found(repo) == []
    assert found(repo, "generated") == ["generated/a.py"]


def test_explicit_files_ignore_gitignore_even_with_force_exclude(repo: Path) -> None:
    touch(repo, "tracked_anyway.py")
    (repo / ".gitignore").write_text("tracked_anyway.py\n", encoding="utf-8")
    assert found(repo, "tracked_anyway.py", force_exclude=True) == ["tracked_anyway.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlinked_directories_are_not_followed(tmp_path: Path) -> None:
    touch(tmp_path, "real/a.py")
    try:
        (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
        (tmp_path / "real" / "loop").symlink_to(tmp_path, target_is_directory=True)
    except OSError:
        pytest.skip("cannot create symbolic links here")
    assert found(tmp_path) == ["real/a.py"]
    assert found(tmp_path, "link") == ["link/a.py"]


def test_the_standard_library_is_fast(tmp_path: Path) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    started = time.perf_counter()
    files = discover_files([stdlib], Config(root=tmp_path))
    elapsed = time.perf_counter() - started
    assert len(files) > 500
    assert all(path.suffix == ".py" for path in files)
    assert not any("site-packages" in path.parts for path in files)
    assert elapsed < 2.0
