"""Build step that puts twinlang's data directories into the wheel.

Everything else is configured in pyproject.toml.  `grammar/` and `stdlib/` live at the top
of the repository, outside the package; a wheel needs them inside it, so this `build_py`
copies them to `twinlang/_data/` in the build directory, where `twinlang.paths` looks when
there is no checkout beside the package.  Editable installs skip the copy: they read the
directories of the checkout itself.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent

#: (directory at the top of the repository, glob patterns of the files to ship)
DATA = (
    ("grammar", ("*.lark", "*.json")),
    ("stdlib", ("**/*.twin", "**/*.md")),
)


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "twinlang" / "_data"
        for name, patterns in DATA:
            source = ROOT / name
            files = sorted({f for p in patterns for f in source.glob(p) if f.is_file()})
            if not files:
                raise SystemExit(f"error: no data files found in `{source}`; the wheel "
                                 "would not work")
            for f in files:
                rel = f.relative_to(source)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                dest = target / name / rel
                self.mkpath(str(dest.parent))
                self.copy_file(str(f), str(dest), preserve_mode=False)


setup(cmdclass={"build_py": BuildPyWithData})
