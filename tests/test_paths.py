"""Finding grammar/ and stdlib/ in a checkout and in a wheel; finding the sources to check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from twinlang import paths

REPO = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------ data in a checkout


def test_checkout_resolves_to_top_level_directories():
    assert paths.grammar_dir() == REPO / "grammar"
    assert paths.stdlib_dir() == REPO / "stdlib"
    assert paths.layout() == "checkout"
    assert (paths.grammar_dir() / "twin.lark").is_file()
    assert (paths.stdlib_dir() / "prelude.twin").is_file()


def test_stdlib_override(monkeypatch, tmp_path):
    monkeypatch.setenv("TWINLANG_STDLIB", str(tmp_path))
    paths.stdlib_dir.cache_clear()
    try:
        assert paths.stdlib_dir() == tmp_path
    finally:
        monkeypatch.delenv("TWINLANG_STDLIB")
        paths.stdlib_dir.cache_clear()
    assert paths.stdlib_dir() == REPO / "stdlib"


def test_missing_data_is_reported_plainly(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "_CHECKOUT", tmp_path)
    monkeypatch.setattr(paths, "_WHEEL_DATA", tmp_path / "_data")
    with pytest.raises(FileNotFoundError, match=r"cannot find its `grammar/` directory"):
        paths._find("grammar", "twin.lark")


# ------------------------------------------------------------------ sources to check


def _touch(root: Path, *names: str) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("role a\n", encoding="utf-8")


def test_find_sources_sorted_recursive_and_skipping(tmp_path):
    _touch(tmp_path, "b.twin", "a.twin", "sub/z.twin", "sub/deeper/a.twin", "sub/notes.md",
           ".git/x.twin", ".venv/lib/y.twin", "venv/lib/site-packages/t/_data/p.twin",
           "node_modules/m.twin", "__pycache__/c.twin", "sub/.#lock.twin")
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    found = paths.find_sources([tmp_path])
    assert [f.relative_to(tmp_path).as_posix() for f in found] == [
        "a.twin", "b.twin", "sub/deeper/a.twin", "sub/z.twin",
    ]


def test_find_sources_keeps_argument_order_and_dedupes(tmp_path):
    _touch(tmp_path, "x/b.twin", "x/a.twin", "y.txt")
    found = paths.find_sources([tmp_path / "y.txt", tmp_path / "x", tmp_path / "x" / "a.twin"])
    assert [f.relative_to(tmp_path).as_posix() for f in found] == ["y.txt", "x/a.twin", "x/b.twin"]


def test_find_sources_does_not_follow_directory_symlinks(tmp_path):
    _touch(tmp_path, "real/a.twin")
    (tmp_path / "real" / "loop").symlink_to(tmp_path / "real", target_is_directory=True)
    found = paths.find_sources([tmp_path / "real"])
    assert [f.name for f in found] == ["a.twin"]


@pytest.mark.parametrize(("setup", "message"), [
    (lambda d: None, "`{p}` does not exist"),
    (lambda d: d.mkdir(), "no `.twin` files found in `{p}`"),
])
def test_find_sources_errors(tmp_path, setup, message):
    target = tmp_path / "thing"
    setup(target)
    with pytest.raises(paths.SourcePathError) as info:
        paths.find_sources([target])
    assert str(info.value) == message.format(p=target)
    assert isinstance(info.value, OSError)


def test_find_sources_refuses_devices():
    with pytest.raises(paths.SourcePathError, match="is not a regular file or a directory"):
        paths.find_sources(["/dev/null"])


def test_check_facade_accepts_one_path_or_many(tmp_path):
    import twinlang

    _touch(tmp_path, "one.twin")
    single = twinlang.check(tmp_path / "one.twin")
    many = twinlang.check([str(tmp_path)])
    assert single.files == many.files == [paths.find_sources([tmp_path])[0].as_posix()]
    assert not single.has_errors


# ------------------------------------------------------------------ data in a wheel

_SHIPPED = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
_SHIPPED_DIRS = ("twinlang", "grammar", "stdlib")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the checkout (so the checkout gets no build/ debris)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in _SHIPPED:
        shutil.copy2(REPO / name, src / name)
    for name in _SHIPPED_DIRS:
        shutil.copytree(REPO / name, src / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_data"))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet",
         "-w", str(root / "dist")],
        cwd=src, capture_output=True, text=True, timeout=300,
    )
    print(f"\nwheel built in {time.perf_counter() - t0:.1f} s")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (whl,) = (root / "dist").glob("twinlang-*.whl")
    return whl


def test_wheel_carries_grammar_and_stdlib(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "twinlang/_data/grammar/twin.lark" in names
    assert "twinlang/_data/stdlib/prelude.twin" in names
    for lark_file in (REPO / "grammar").glob("*.lark"):
        assert f"twinlang/_data/grammar/{lark_file.name}" in names
    for twin_file in (REPO / "stdlib").rglob("*.twin"):
        rel = twin_file.relative_to(REPO / "stdlib").as_posix()
        assert f"twinlang/_data/stdlib/{rel}" in names
    assert not any(n.startswith(("grammar/", "stdlib/", "tests/")) for n in names)
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_wheel_uses_its_own_data(wheel, tmp_path):
    """Install the wheel alone into a target directory; dependencies come from this venv."""
    target = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    probe = (
        "import pathlib, twinlang\n"
        "from twinlang import paths\n"
        "print(pathlib.Path(twinlang.__file__).resolve().parent)\n"
        "print(paths.layout())\n"
        "print(paths.grammar_dir())\n"
        "module, diags = twinlang.parse('role authorized \"Authorized employee\"\\n')\n"
        "print(type(module).__name__, len(diags))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("TWINLANG_STDLIB", None)
    work = tmp_path / "elsewhere"
    work.mkdir()
    proc = subprocess.run([sys.executable, "-c", probe], cwd=work, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    package, layout, grammar, parsed = proc.stdout.splitlines()
    assert Path(package) == (target / "twinlang").resolve()
    assert layout == "wheel"
    assert Path(grammar) == (target / "twinlang" / "_data" / "grammar").resolve()
    assert parsed == "Module 0"

    (work / "bad.twin").write_text('role "Authorized employee"\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "twinlang", "check", "bad.twin"], cwd=work,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "TW01" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "twinlang", "--version"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "data: wheel" in proc.stdout
