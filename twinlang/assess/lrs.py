"""Sending xAPI statements to a Learning Record Store, without losing any.

    result = send(statements, "https://lrs.example.org/xAPI/", auth=credentials(None))

Statements go to ``ENDPOINT/statements`` by HTTP POST (xAPI 1.0.3, basic auth) in
batches.  A connection error, a time-out, a 5xx or a 429 answer is retried with
exponential back-off; when the LRS stays unreachable, or refuses the credentials, what
was not stored is kept in the outbox (one JSON Lines file per LRS endpoint) and sent
first the next time anything is sent to that endpoint, or by `flush`.  An LRS that
already holds a statement with the same id and the same content answers as if it stored
it (twinlang's statement ids are deterministic, so resending is harmless).  A statement
the LRS rejects for itself (400, or 409: a different statement with its id exists) is
moved to ``<outbox file>.rejected.jsonl`` and reported: it would fail every time.

Credentials come from ``TWINLANG_LRS_USERNAME`` / ``TWINLANG_LRS_PASSWORD`` or a file
(JSON ``{"username": ..., "password": ...}`` or one line ``user:password``); they are
never printed, logged or put in an error message.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .._version import __version__

__all__ = ["Auth", "LrsError", "SendResult", "credentials", "default_outbox", "endpoint",
           "equivalent", "fetch", "flush", "outbox_file", "pending", "send", "verify"]

XAPI_VERSION = "1.0.3"
ENV_USER = "TWINLANG_LRS_USERNAME"
ENV_PASSWORD = "TWINLANG_LRS_PASSWORD"
ENV_OUTBOX = "TWINLANG_OUTBOX"

RETRIES = 3          # after the first try
BACKOFF = 0.5        # s before the first retry; doubled each time
MAX_WAIT = 30.0      # s, the longest wait between tries (also for Retry-After)
TIMEOUT = 15.0       # s per request
BATCH = 50           # statements per POST


class LrsError(Exception):
    """A problem with the LRS address, the credentials or the outbox; the message says
    what to do and never contains a password."""


class Auth:
    """Basic-auth credentials; ``repr`` and ``str`` hide the password."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self._password = password

    def header(self) -> str:
        token = f"{self.username}:{self._password}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")

    def __repr__(self) -> str:
        return f"Auth(username={self.username!r}, password=<hidden>)"

    __str__ = __repr__


@dataclass
class SendResult:
    endpoint: str
    sent: list[str] = field(default_factory=list)       # ids stored now
    already: list[str] = field(default_factory=list)    # ids the LRS already had
    kept: list[str] = field(default_factory=list)       # ids left in the outbox
    rejected: list[str] = field(default_factory=list)   # ids the LRS refused for good
    from_outbox: int = 0                                 # statements taken from the outbox
    outbox: Path | None = None
    rejected_file: Path | None = None
    problems: list[str] = field(default_factory=list)   # what went wrong, in words

    @property
    def ok(self) -> bool:
        return not self.kept and not self.rejected


# ------------------------------------------------------------------ configuration


def endpoint(url: str) -> str:
    """The xAPI endpoint for ``url``, ending in ``/``: ``https://host/xAPI/`` as given, or
    with ``xAPI/`` added when ``url`` has no path (the path ralph and many LRSs use).  A
    trailing ``statements`` is dropped."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LrsError(f"`{_redact(url)}` is not an http or https address of an LRS")
    if parts.username is not None or parts.password is not None:
        raise LrsError("the LRS address contains credentials; give them in "
                       f"{ENV_USER} and {ENV_PASSWORD} or with --lrs-credentials FILE")
    if parts.query or parts.fragment:
        raise LrsError(f"the LRS address `{url}` has a query or fragment; give the xAPI "
                       "endpoint, e.g. `https://lrs.example.org/xAPI/`")
    path = parts.path.rstrip("/")
    if path.endswith("/statements"):
        path = path[: -len("/statements")]
    if not path:
        path = "/xAPI"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


def _redact(url: str) -> str:
    return re.sub(r"//[^/@]*@", "//", url)


def credentials(file: str | Path | None = None,
                env: dict[str, str] | None = None) -> Auth | None:
    """Credentials from ``file`` when given, else from the environment, else None."""
    env = os.environ if env is None else env
    if file is not None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise LrsError(f"cannot read the LRS credentials file `{file}`: "
                           f"{(exc.strerror or str(exc)).lower()}") from None
        except UnicodeDecodeError:
            raise LrsError(f"the LRS credentials file `{file}` is not UTF-8 text") from None
        return _parse_credentials(text, str(file))
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if user and password is not None:
        return Auth(user, password)
    if user or password:
        raise LrsError(f"set both {ENV_USER} and {ENV_PASSWORD}, or neither")
    return None


def _parse_credentials(text: str, name: str) -> Auth:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            data = None
        if (isinstance(data, dict) and isinstance(data.get("username"), str)
                and isinstance(data.get("password"), str) and data["username"]):
            return Auth(data["username"], data["password"])
        raise LrsError(f"the LRS credentials file `{name}` is JSON but not "
                       '{"username": "...", "password": "..."}')
    line = stripped.splitlines()[0] if stripped else ""
    user, sep, password = line.partition(":")
    if not sep or not user:
        raise LrsError(f"the LRS credentials file `{name}` holds neither JSON "
                       '{"username": ..., "password": ...} nor a line `user:password`')
    return Auth(user, password)


def default_outbox(env: dict[str, str] | None = None) -> Path:
    """``$TWINLANG_OUTBOX``, else ``$XDG_CACHE_HOME/twinlang/outbox``, else
    ``~/.cache/twinlang/outbox``."""
    env = os.environ if env is None else env
    if env.get(ENV_OUTBOX):
        return Path(env[ENV_OUTBOX])
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "twinlang" / "outbox"


def outbox_file(outbox: str | Path, url: str) -> Path:
    """The outbox file of the endpoint ``url``: readable host and port, and a hash of
    the whole endpoint so that two LRSs on one host do not share a file."""
    ep = endpoint(url)
    parts = urllib.parse.urlsplit(ep)
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", parts.netloc)
    digest = hashlib.sha256(ep.encode()).hexdigest()[:12]
    return Path(outbox) / f"{host}-{digest}.jsonl"


# ------------------------------------------------------------------ the outbox


def _read_jsonl(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise LrsError(f"cannot read the outbox `{path}`: "
                       f"{(exc.strerror or str(exc)).lower()}") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            item = None
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise LrsError(f"line {n} of the outbox `{path}` is not a statement; move the "
                           "file away to send new statements")
        out.append(item)
    return out


def _write_jsonl(path: Path, items: list[dict], *, append: bool = False) -> None:
    """Write (or append) statements; the files are the owner's only (they name trainees)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = "".join(json.dumps(s, sort_keys=True, ensure_ascii=False,
                                  separators=(",", ":")) + "\n" for s in items)
        if not items and not append:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return
        target = path if append else path.with_name(path.name + f".{os.getpid()}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        with open(os.open(target, flags, 0o600), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if not append:
            os.replace(target, path)
    except OSError as exc:
        raise LrsError(f"cannot write the outbox `{path}`: "
                       f"{(exc.strerror or str(exc)).lower()}") from None


@contextlib.contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on the outbox file of one endpoint while sending."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise LrsError(f"cannot use the outbox directory `{path.parent}`: "
                       f"{(exc.strerror or str(exc)).lower()}") from None
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # not on POSIX: one sender at a time is the user's business
            pass
        yield
    finally:
        os.close(fd)


def pending(url: str, outbox: str | Path | None = None) -> list[dict]:
    """The statements waiting in the outbox for the endpoint ``url``."""
    return _read_jsonl(outbox_file(outbox or default_outbox(), url))


# ------------------------------------------------------------------ HTTP


@dataclass
class _Answer:
    status: int                 # 0: no answer (connection error, time-out)
    body: bytes = b""
    retry_after: float | None = None
    error: str | None = None


def _request(method: str, url: str, *, auth: Auth | None, body: bytes | None = None,
             timeout: float = TIMEOUT) -> _Answer:
    headers = {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json",
               "User-Agent": f"twinlang/{__version__}"}
    if body is not None:
        headers["Content-Type"] = "application/json; charset=utf-8"
    if auth is not None:
        headers["Authorization"] = auth.header()
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return _Answer(resp.status, resp.read())
    except urllib.error.HTTPError as exc:
        try:
            data = exc.read()
        except OSError:
            data = b""
        return _Answer(exc.code, data, _retry_after(exc.headers.get("Retry-After")),
                       f"HTTP {exc.code} {exc.reason}")
    except (http.client.HTTPException, OSError) as exc:  # URLError, time-outs, resets
        reason = getattr(exc, "reason", exc)
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return _Answer(0, error=text.lower())


def _retry_after(value: str | None) -> float | None:
    try:
        return min(MAX_WAIT, max(0.0, float(value))) if value else None
    except ValueError:
        return None


def _with_retries(method: str, url: str, *, auth: Auth | None, body: bytes | None,
                  retries: int, backoff: float, timeout: float,
                  sleep: Callable[[float], None]) -> _Answer:
    wait = backoff
    for attempt in range(retries + 1):
        answer = _request(method, url, auth=auth, body=body, timeout=timeout)
        if answer.status and answer.status < 500 and answer.status != 429:
            return answer
        if attempt == retries:
            return answer
        sleep(min(MAX_WAIT, answer.retry_after if answer.retry_after is not None else wait))
        wait *= 2
    return answer  # pragma: no cover - the loop always returns


def _detail(answer: _Answer) -> str:
    try:
        data = json.loads(answer.body or b"null")
    except ValueError:
        data = None
    detail = data.get("detail") if isinstance(data, dict) else None
    if isinstance(detail, list):  # a validation error: its first complaint is enough
        first = detail[0] if detail else {}
        where = ".".join(str(x) for x in first.get("loc", [])[1:]) if isinstance(first, dict) \
            else ""
        msg = first.get("msg", "") if isinstance(first, dict) else str(first)
        detail = f"{where}: {msg}" if where else msg
    text = str(detail) if detail else (answer.error or f"HTTP {answer.status}")
    return text if len(text) <= 300 else text[:297] + "..."


# ------------------------------------------------------------------ read back


def fetch(url: str, statement_id: str, *, auth: Auth | None = None,
          timeout: float = TIMEOUT) -> dict | None:
    """The statement ``statement_id`` as the LRS stores it, or None when it has none.
    Raises LrsError when the LRS cannot be asked."""
    ep = endpoint(url)
    query = urllib.parse.urlencode({"statementId": statement_id})
    answer = _request("GET", f"{ep}statements?{query}", auth=auth, timeout=timeout)
    if answer.status == 404:
        return None
    if answer.status != 200:
        raise LrsError(f"reading statement {statement_id} back from {ep} failed: "
                       f"{_detail(answer)}")
    try:
        data = json.loads(answer.body)
    except ValueError:
        raise LrsError(f"the LRS at {ep} answered with something that is not JSON") from None
    if isinstance(data, dict) and isinstance(data.get("statements"), list):
        found = [s for s in data["statements"] if s.get("id") == statement_id]
        return found[0] if found else None  # ralph answers with a statement result
    return data if isinstance(data, dict) and data.get("id") == statement_id else None


def _strip(statement: dict) -> dict:
    return {k: v for k, v in statement.items() if k not in ("stored", "authority", "version")}


def equivalent(ours: dict, stored: dict) -> bool:
    """Whether the LRS's copy is our statement (the properties an LRS sets are ignored)."""
    return _strip(ours) == _strip(stored)


def verify(url: str, statements: list[dict], *, auth: Auth | None = None,
           timeout: float = TIMEOUT) -> list[str]:
    """Read every statement back; what differs or is missing, in words."""
    out = []
    for s in statements:
        got = fetch(url, s["id"], auth=auth, timeout=timeout)
        if got is None:
            out.append(f"statement {s['id']} is not in the LRS")
        elif not equivalent(s, got):
            out.append(f"statement {s['id']} differs in the LRS")
    return out


# ------------------------------------------------------------------ sending


def send(statements: list[dict], url: str, *, auth: Auth | None = None,
         outbox: str | Path | None = None, retries: int | None = None,
         backoff: float | None = None, timeout: float = TIMEOUT, batch: int | None = None,
         sleep: Callable[[float], None] = time.sleep) -> SendResult:
    """Send what waits in the outbox for ``url``, then ``statements``.

    What is not stored stays in (or goes to) the outbox; nothing is lost.  Raises
    LrsError only for a bad address or an outbox that cannot be read or written."""
    ep = endpoint(url)
    box = outbox_file(outbox or default_outbox(), ep)
    retries = RETRIES if retries is None else retries
    backoff = BACKOFF if backoff is None else backoff
    size = max(1, batch or BATCH)
    result = SendResult(endpoint=ep, outbox=box)
    with _locked(box):
        queue = _read_jsonl(box)
        result.from_outbox = len(queue)
        seen = {json.dumps(s, sort_keys=True) for s in queue}
        for s in statements:
            key = json.dumps(s, sort_keys=True)
            if key not in seen:
                seen.add(key)
                queue.append(s)
        # keep everything safe on disk before the first byte goes out
        _write_jsonl(box, queue)
        post = {"auth": auth, "retries": retries, "backoff": backoff, "timeout": timeout,
                "sleep": sleep}
        rejected: list[dict] = []
        rejected_file = box.with_name(box.stem + ".rejected.jsonl")
        i = 0
        while i < len(queue):
            chunk = queue[i:i + size]
            done = _send_chunk(chunk, ep, result, rejected, post)
            i += done
            if rejected:  # to their own file before they leave the outbox
                _write_jsonl(rejected_file, rejected, append=True)
                result.rejected += [s["id"] for s in rejected]
                result.rejected_file = rejected_file
                rejected.clear()
            _write_jsonl(box, queue[i:])
            if done < len(chunk):
                break
        result.kept = [s["id"] for s in queue[i:]]
    return result


def flush(url: str, **kwargs) -> SendResult:
    """Send what waits in the outbox for ``url`` (see `send`)."""
    return send([], url, **kwargs)


def _send_chunk(chunk: list[dict], ep: str, result: SendResult, rejected: list[dict],
                post: dict) -> int:
    """Send one batch; how many of its statements were dealt with (stored, found
    stored or rejected).  Fewer than all: sending must stop, the rest stays kept."""
    body = json.dumps(chunk, ensure_ascii=False, allow_nan=False).encode("utf-8")
    answer = _with_retries("POST", ep + "statements", body=body, **post)
    ids = [s["id"] for s in chunk]
    if answer.status in (200, 204):
        stored = set()
        if answer.status == 200:
            try:
                data = json.loads(answer.body or b"[]")
                stored = {x for x in data if isinstance(x, str)} if isinstance(data, list) \
                    else set(ids)
            except ValueError:
                stored = set(ids)
        result.sent += [x for x in ids if x in stored]
        result.already += [x for x in ids if x not in stored]
        return len(chunk)
    if answer.status in (400, 409, 413, 422) and len(chunk) > 1:
        # one statement spoils the batch: find it by sending them one at a time
        done = 0
        for s in chunk:
            if not _send_chunk([s], ep, result, rejected, post):
                break
            done += 1
        return done
    if answer.status == 409:
        try:
            stored = fetch(ep, chunk[0]["id"], auth=post["auth"], timeout=post["timeout"])
        except LrsError:
            stored = None
        if stored is None or equivalent(chunk[0], stored):
            result.already.append(chunk[0]["id"])
            return 1
        rejected.append(chunk[0])
        result.problems.append(f"the LRS already holds a different statement with id "
                               f"{chunk[0]['id']}")
        return 1
    if answer.status in (400, 413, 422):
        rejected.append(chunk[0])
        result.problems.append(f"the LRS refused statement {chunk[0]['id']}: {_detail(answer)}")
        return 1
    if answer.status in (401, 403):
        result.problems.append(f"the LRS refused the credentials (HTTP {answer.status}): set "
                               f"{ENV_USER} and {ENV_PASSWORD} or give --lrs-credentials FILE "
                               "for an account allowed to write statements")
    elif answer.status == 0:
        result.problems.append(f"the LRS at {ep} cannot be reached: {answer.error}")
    else:
        result.problems.append(f"the LRS at {ep} answered {_detail(answer)}"
                               + (" after retrying" if answer.status >= 500
                                  or answer.status == 429 else ""))
    return 0
