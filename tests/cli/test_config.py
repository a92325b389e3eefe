"""Finding, reading and validating ``[tool.asyncdoctor]``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from asyncdoctor.check._config import Config, ConfigError, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def config_error(start: Path, **kwargs: object) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(start, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# --- finding the file ---------------------------------------------------------------------------


def test_no_pyproject_gives_defaults_rooted_at_start(tmp_path: Path) -> None:
    start = tmp_path / "src"
    start.mkdir()
    config = load_config(start)
    assert config == Config(root=start)
    assert config.config_file is None


def test_a_file_start_uses_its_directory(tmp_path: Path) -> None:
    file = write(tmp_path / "pkg" / "mod.py", "")
    write(tmp_path / "pkg" / "pyproject.toml", "[tool.asyncdoctor]\njobs = 2\n")
    config = load_config(file)
    assert config.root == tmp_path / "pkg"
    assert config.jobs == 2


def test_nearest_table_wins(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.asyncdoctor]\nignore = ["ADC1"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.asyncdoctor]\nignore = ["ADC2"]\n')
    config = load_config(tmp_path / "sub")
    assert config.ignore == ("ADC2",)
    assert config.root == tmp_path / "sub"
    assert config.config_file == tmp_path / "sub" / "pyproject.toml"


def test_pyproject_without_table_does_not_hide_an_outer_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.asyncdoctor]\nselect = ["blocking"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "sub"\n')
    config = load_config(tmp_path / "sub" / "deeper")
    assert config.select == ("blocking",)
    assert config.root == tmp_path


def test_pyproject_without_table_marks_the_root(tmp_path: Path) -> None:
    write(tmp_path / "proj" / "pyproject.toml", "[tool.black]\nline-length = 80\n")
    (tmp_path / "proj" / "src").mkdir()
    config = load_config(tmp_path / "proj" / "src")
    assert config.root == tmp_path / "proj"
    assert config.config_file is None
    assert config.select == ()


# --- reading every option -----------------------------------------------------------------------


def test_every_option(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
[tool.asyncdoctor]
select = ["ADC1", "coroutines"]
extend-select = ["ADC301"]
ignore = ["ADC102"]
exclude = ["gen/"]
extend-exclude = ["*_pb2.py"]
force-exclude = true
respect-gitignore = false
blocking-functions = ["mypkg.db.query"]
safe-functions = ["legacy.Client.fetch"]
cache = false
cache-dir = ".cache/ad"
jobs = 4

[tool.asyncdoctor.per-file-ignores]
"tests/**" = ["ADC101"]
"__init__.py" = ["ADC2", "ADC3"]
""",
    )
    config = load_config(tmp_path)
    assert config == Config(
        root=tmp_path,
        select=("ADC1", "coroutines"),
        extend_select=("ADC301",),
        ignore=("ADC102",),
        exclude=("gen/",),
        extend_exclude=("*_pb2.py",),
        force_exclude=True,
        respect_gitignore=False,
        per_file_ignores=(("tests/**", ("ADC101",)), ("__init__.py", ("ADC2", "ADC3"))),
        blocking_functions=("mypkg.db.query",),
        safe_functions=("legacy.Client.fetch",),
        cache=False,
        cache_dir=tmp_path / ".cache" / "ad",
        jobs=4,
        config_file=tmp_path / "pyproject.toml",
    )


def test_an_empty_table_is_fine(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.asyncdoctor]\n")
    assert load_config(tmp_path) == Config(root=tmp_path, config_file=tmp_path / "pyproject.toml")


# --- errors: one line, naming the file and the key ----------------------------------------------


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.asyncdoctor]\nselct = ["ADC1"]\n')
    assert config_error(tmp_path) == (
        "pyproject.toml: [tool.asyncdoctor] 'selct' is not a known option (did you mean 'select'?)"
    )


def test_snake_case_key_suggests_kebab_case(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.asyncdoctor]\nrespect_gitignore = true\n")
    assert config_error(tmp_path).endswith("(did you mean 'respect-gitignore'?)")


def test_unknown_key_without_a_close_match(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.asyncdoctor]\nzzz = 1\n")
    assert (
        config_error(tmp_path) == "pyproject.toml: [tool.asyncdoctor] 'zzz' is not a known option"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('select = "ADC1"', "'select' must be an array of strings, got a string"),
        ("ignore = [1]", "'ignore' must be an array of strings, but contains the integer 1"),
        ('cache = "yes"', "'cache' must be true or false, got a string"),
        ("respect-gitignore = 1", "'respect-gitignore' must be true or false, got the integer 1"),
        ("jobs = 0", "'jobs' must be a positive integer, got the integer 0"),
        ("jobs = true", "'jobs' must be a positive integer, got a boolean"),
        ("jobs = 1.5", "'jobs' must be a positive integer, got a float"),
        ("cache-dir = 3", "'cache-dir' must be a path (a string), got the integer 3"),
        (
            "per-file-ignores = []",
            "'per-file-ignores' must be a table of glob = [rules], got an array",
        ),
        (
            'per-file-ignores = { "a.py" = "ADC1" }',
            "'per-file-ignores' 'a.py' must be an array of strings, got a string",
        ),
        *(
            (
                f'blocking-functions = ["{entry}"]',
                f"'blocking-functions' entry '{entry}' is not a dotted name like 'pkg.mod.func' "
                "or 'pkg.mod.Class.*'",
            )
            # a class lives in a module: "Client.*" names none
            for entry in ("not a name", "*", "Client.*", "Client*", ".*", "legacy.*.query", "a..b")
        ),
    ],
)
def test_wrong_types(tmp_path: Path, line: str, expected: str) -> None:
    write(tmp_path / "pyproject.toml", f"[tool.asyncdoctor]\n{line}\n")
    assert config_error(tmp_path) == f"pyproject.toml: [tool.asyncdoctor] {expected}"


def test_dotted_names_and_class_wildcards(tmp_path: Path) -> None:
    # The README's example: every method of a class, by the name the code imports.
    write(
        tmp_path / "pyproject.toml",
        "[tool.asyncdoctor]\n"
        'blocking-functions = ["legacy.db.query", "legacy.Client.*"]\n'
        'safe-functions = ["myapp.cache.get_local", "myapp.Cache.*"]\n',
    )
    config = load_config(tmp_path)
    assert config.blocking_functions == ("legacy.db.query", "legacy.Client.*")
    assert config.safe_functions == ("myapp.cache.get_local", "myapp.Cache.*")


def test_broken_toml_is_one_line_with_the_position(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.asyncdoctor]\nselect = ["ADC1"\nignore = 2\n')
    message = config_error(tmp_path)
    assert message.startswith("pyproject.toml: invalid TOML: ")
    assert "line 3" in message


def test_broken_toml_in_a_pyproject_without_our_table_is_still_reported(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project\n")
    assert config_error(tmp_path / "x.py").startswith("pyproject.toml: invalid TOML: ")


def test_table_must_be_a_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool]\nasyncdoctor = 1\n")
    assert config_error(tmp_path) == (
        "pyproject.toml: [tool.asyncdoctor] must be a table, got the integer 1"
    )


def test_path_outside_the_current_directory_is_shown_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "proj" / "pyproject.toml", "[tool.asyncdoctor]\nbad = 1\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert config_error(tmp_path / "proj").startswith(f"{tmp_path / 'proj' / 'pyproject.toml'}: ")


# --- an explicit file ---------------------------------------------------------------------------


def test_explicit_pyproject_skips_the_search(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.asyncdoctor]\nignore = ["ADC1"]\n')
    other = write(tmp_path / "conf" / "pyproject.toml", '[tool.asyncdoctor]\nignore = ["ADC2"]\n')
    config = load_config(tmp_path, config_file=other)
    assert config.ignore == ("ADC2",)
    assert config.root == tmp_path / "conf"
    assert config.config_file == other


def test_explicit_other_toml_has_options_at_the_top_level(tmp_path: Path) -> None:
    file = write(tmp_path / "asyncdoctor.toml", 'select = ["ADC1"]\ncache = false\n')
    config = load_config(tmp_path, config_file=Path("asyncdoctor.toml"))
    assert (config.select, config.cache, config.root) == (("ADC1",), False, tmp_path)
    assert config.config_file == file
    write(tmp_path / "bad.toml", "selec = []\n")
    assert config_error(tmp_path, config_file=Path("bad.toml")) == (
        "bad.toml 'selec' is not a known option (did you mean 'select'?)"
    )


def test_explicit_file_must_exist(tmp_path: Path) -> None:
    assert config_error(tmp_path, config_file=Path("nope.toml")) == (
        "config file 'nope.toml' does not exist"
    )


# --- overrides and the dataclass ----------------------------------------------------------------


def test_overrides_win_and_lists_become_tuples(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.asyncdoctor]\nselect = ["ADC1"]\njobs = 2\n')
    config = load_config(tmp_path, overrides={"select": ["ADC2"], "jobs": 8, "cache": False})
    assert (config.select, config.jobs, config.cache) == (("ADC2",), 8, False)


def test_unknown_override_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="selct"):
        load_config(tmp_path, overrides={"selct": ()})


def test_config_is_frozen_and_keyword_only() -> None:
    config = Config(root=Path("/x"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.jobs = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        Config(Path("/x"))  # type: ignore[call-arg]
    assert "root=" in repr(config)
    assert hash(config) == hash(Config(root=Path("/x")))
