"""Loading a compiled bundle: the only door into the player and the assessment.

`load(path)` reads `scenario.json` from a bundle directory (or the file itself), checks
its format name and major version before anything else, validates it against the
bundle model and checks the integrity of the files it lists.  A bundle of another format
or a newer major version is refused with a message that says what to do.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import ValidationError

from .compile import model
from .compile.model import FORMAT, FORMAT_MAJOR, Bundle

__all__ = ["Bundle", "BundleError", "check_format", "load", "model", "schema", "schema_text"]


class BundleError(Exception):
    """A bundle that cannot be loaded; the message says why and what to do."""


def schema() -> dict:
    """The JSON Schema of `scenario.json` (draft 2020-12), exported from the model."""
    out = Bundle.model_json_schema(mode="validation")
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    out["$id"] = f"https://twinlang.org/schema/scenario-{FORMAT_MAJOR}.json"
    out["title"] = f"{FORMAT}/{FORMAT_MAJOR}: a compiled twinlang scenario"
    return out


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _scenario_path(path: Path) -> Path:
    return path / "scenario.json" if path.is_dir() else path


def load(path: str | Path, *, verify_files: bool = True) -> Bundle:
    """Load and validate a bundle; raise :class:`BundleError` with a clear message."""
    path = Path(path)
    scenario = _scenario_path(path)
    try:
        raw = scenario.read_bytes()
    except FileNotFoundError:
        raise BundleError(f"no bundle at `{path}`: `{scenario.name}` not found "
                          "(compile one with `twinlang compile FILE -o DIR`)") from None
    except OSError as exc:
        raise BundleError(f"cannot read `{scenario}`: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"`{scenario}` is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BundleError(f"`{scenario}` is not a twinlang bundle (expected a JSON object)")
    check_format(data.get("format"), data.get("format_version"), where=str(scenario))
    try:
        bundle = Bundle.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise BundleError(f"`{scenario}` does not match the bundle format: {loc}: "
                          f"{first['msg']} ({exc.error_count()} problem"
                          f"{'s' if exc.error_count() != 1 else ''} in all)") from None
    if verify_files and scenario.parent.is_dir():
        for rel, digest in sorted(bundle.files.items()):
            file = scenario.parent / rel
            try:
                actual = hashlib.sha256(file.read_bytes()).hexdigest()
            except OSError:
                raise BundleError(f"the bundle lists `{rel}` but it is missing") from None
            if actual != digest:
                raise BundleError(f"`{rel}` does not match the bundle (it was changed after "
                                  "compiling); compile the scenario again")
    return bundle


def check_format(fmt, version, *, where: str = "the bundle") -> None:
    """Refuse anything that is not `twinlang.scenario/<our major>`."""
    if not isinstance(fmt, str) or "/" not in fmt:
        raise BundleError(f"{where} is not a twinlang bundle (no `format` field)")
    name, _, major = fmt.rpartition("/")
    if name != FORMAT:
        raise BundleError(f"{where} has format `{fmt}`, not `{FORMAT}/{FORMAT_MAJOR}`")
    if not major.isdigit():
        raise BundleError(f"{where} has an invalid format version `{major}`")
    if int(major) > FORMAT_MAJOR:
        raise BundleError(f"{where} is format `{fmt}`, newer than this twinlang reads "
                          f"(`{FORMAT}/{FORMAT_MAJOR}`); upgrade twinlang")
    if int(major) < FORMAT_MAJOR:
        raise BundleError(f"{where} is format `{fmt}`, older than this twinlang reads "
                          f"(`{FORMAT}/{FORMAT_MAJOR}`); compile the scenario again")
    if isinstance(version, str) and not version.startswith(f"{FORMAT_MAJOR}."):
        raise BundleError(f"{where}: `format_version` {version!r} does not match `{fmt}`")
