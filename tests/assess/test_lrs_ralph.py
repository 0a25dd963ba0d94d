"""End to end against a real Learning Record Store: ralph (`ralph-malph`), started by the
test on 127.0.0.1 with its file-system backend.

Sends the statements of a whole assessment, reads each one back and compares; sends again
(idempotent); a conflicting statement is set aside; and the server is stopped in the middle
of a send by `twinlang assess`'s xAPI options: the statements not stored are reported as
kept, and once the server is back `twinlang lrs flush` stores them all, none lost, none
duplicated.  Needs ``pip install 'ralph-malph[backend-lrs,lrs,cli]' requests``; skipped
without it.

ralph's file-system backend (ralph-malph 5.1) creates its one file on the first write and
refuses every later write (HTTP 500, "already exists and overwrite is not allowed"), so
`ralph runserver -b fs` stores one POST only.  The first test uses it as it is (one write);
the outage test needs several writes and runs ralph's app under uvicorn with that backend
set to append.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.lrs

pytest.importorskip("ralph.cli", reason="ralph-malph is not importable: pip install "
                    "'ralph-malph[backend-lrs,lrs,cli]' requests", exc_type=ImportError)

from tests.assess.report_fixture import assessed_run  # noqa: E402
from tests.assess.test_xapi import passing  # noqa: E402
from twinlang.assess import lrs  # noqa: E402
from twinlang.assess.xapi import statements  # noqa: E402
from twinlang.assess.xapi_cli import add_xapi_arguments, handle_xapi  # noqa: E402
from twinlang.cli import main  # noqa: E402

USER = "twinlang-test"
RALPH = [sys.executable, "-m", "ralph"]  # the `ralph` command, from this interpreter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: ralph's API with the fs backend appending (see the module docstring), no reloader
APPENDING = """
import sys
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
import uvicorn
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
"""


class Ralph:
    """A ralph LRS in its own process group (`runserver`'s reloader starts a child)."""

    def __init__(self, root: Path, *, appending: bool = False) -> None:
        self.root = root
        self.appending = appending
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(16)
        self.env = {**os.environ, "RALPH_APP_DIR": str(root / "app"),
                    "RALPH_RUNSERVER_BACKEND": "fs",
                    "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(root / "data")}
        self.proc: subprocess.Popen | None = None

    def create_user(self) -> None:
        subprocess.run([*RALPH, "auth", "-u", USER, "-p", self.password, "-s", "all",
                        "-M", "mailto:lrs-test@example.org", "-w"], env=self.env, check=True,
                       capture_output=True, timeout=120, cwd=self.root)

    def start(self) -> None:
        log = open(self.root / "server.log", "ab")  # closed in stop()
        (self.root / "data").mkdir(exist_ok=True)
        if self.appending:
            argv = [sys.executable, "-c", APPENDING, str(self.port)]
        else:
            argv = [*RALPH, "runserver", "-b", "fs", "--fs-default-directory-path",
                    str(self.root / "data"), "-h", "127.0.0.1", "-p", str(self.port)]
        self.proc = subprocess.Popen(
            argv, env=self.env, cwd=self.root, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self._log = log
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/__heartbeat__", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        pytest.fail("ralph did not start:\n" + (self.root / "server.log").read_text()[-3000:])

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)
        self.proc = None
        self._log.close()

    def all_statements(self, registration: str) -> list[dict]:
        auth = lrs.Auth(USER, self.password)
        query = urllib.parse.urlencode({"registration": registration, "limit": 500})
        req = urllib.request.Request(f"{self.url}/xAPI/statements?{query}", headers={
            "Authorization": auth.header(), "X-Experience-API-Version": "1.0.3"})
        with urllib.request.urlopen(req, timeout=15) as r:
            data = json.loads(r.read())
        assert not data.get("more"), "a second page of statements"
        return data["statements"]


@pytest.fixture
def ralph(tmp_path_factory):
    """`ralph runserver -b fs`, as documented."""
    server = Ralph(tmp_path_factory.mktemp("ralph"))
    server.create_user()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def appending_ralph(tmp_path_factory):
    server = Ralph(tmp_path_factory.mktemp("ralph"), appending=True)
    server.create_user()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("assessed")
    assessment, _run, bundle = assessed_run(out, hostile=True)
    return assessment, bundle


ACTOR = {"objectType": "Agent", "name": "Ann O'Neil <b>", "mbox": "mailto:ann@example.org"}


def test_statements_are_stored_and_read_back_unchanged(ralph, run, tmp_path):
    assessment, bundle = run
    auth = lrs.Auth(USER, ralph.password)
    # every kind of statement: the failed run's, and the passing run's with `completed`
    items = statements(assessment, bundle, actor=ACTOR, timestamp="2026-11-22T08:00:00Z")
    account = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org",
                                                  "name": "jdoe"}}
    items += statements(passing(assessment), bundle, actor=account, session_id="passing",
                        timestamp="2026-11-22T09:00:00Z")
    result = lrs.send(items, ralph.url, auth=auth, outbox=tmp_path)
    assert result.ok, result.problems
    assert result.sent == [s["id"] for s in items]
    for s in items:
        stored = lrs.fetch(ralph.url, s["id"], auth=auth)
        assert stored is not None
        assert {k: v for k, v in stored.items() if k not in ("stored", "authority")} == s
    # sending the same statements again stores nothing new
    again = lrs.send(items, ralph.url, auth=auth, outbox=tmp_path)
    assert again.ok and not again.sent and again.already == [s["id"] for s in items]
    # a different statement under a stored id is refused and set aside, not lost
    changed = dict(items[-1], timestamp="2026-11-22T09:00:00.000Z")
    result = lrs.send([changed], ralph.url, auth=auth, outbox=tmp_path)
    assert result.rejected == [changed["id"]] and not result.kept
    assert json.loads(result.rejected_file.read_text()) == changed
    assert lrs.fetch(ralph.url, changed["id"], auth=auth)["timestamp"] == items[-1]["timestamp"]


def test_outage_mid_send_loses_nothing(appending_ralph, run, tmp_path, monkeypatch, capsys):
    ralph = appending_ralph
    assessment, bundle = run
    creds = tmp_path / "lrs.json"
    creds.write_text(json.dumps({"username": USER, "password": ralph.password}))
    box = tmp_path / "outbox"
    parser = argparse.ArgumentParser()
    add_xapi_arguments(parser)
    args = parser.parse_args(["--lrs", ralph.url, "--lrs-credentials", str(creds),
                              "--outbox", str(box), "--actor-mbox", "ann@example.org",
                              "--started-at", "2026-11-22T10:00:00Z"])
    # stop the server after the second batch of two statements has been stored
    monkeypatch.setattr(lrs, "BATCH", 2)
    monkeypatch.setattr(lrs, "BACKOFF", 0.05)
    real_request = lrs._request
    posts = []

    def request(method, url, **kw):
        answer = real_request(method, url, **kw)
        if method == "POST":
            posts.append(answer.status)
            if len(posts) == 2:
                ralph.stop()
        return answer

    monkeypatch.setattr(lrs, "_request", request)
    lines = handle_xapi(args, assessment, bundle)
    total = 9
    assert posts[:2] == [200, 200] and set(posts[2:]) == {0}
    assert lines[0] == f"sent 4 xAPI statements to {ralph.url}/xAPI/"
    assert lines[1].startswith(f"warning: {total - 4} xAPI statements kept in the outbox ")
    assert "cannot be reached" in lines[1]
    assert lines[2] == ("help: they are sent first the next time; to send them now, run "
                        f"`twinlang lrs flush --lrs {ralph.url}/xAPI/`")
    kept = lrs.pending(ralph.url, box)
    assert len(kept) == total - 4
    assert ralph.password not in "\n".join(lines)
    assert ralph.password not in lrs.outbox_file(box, ralph.url).read_text()

    monkeypatch.setattr(lrs, "_request", real_request)
    ralph.start()
    code = main(["lrs", "flush", "--lrs", ralph.url, "--lrs-credentials", str(creds),
                 "--outbox", str(box), "--verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"sent {total - 4} xAPI statements to {ralph.url}/xAPI/ ({total - 4} from the " \
           "outbox)" in out
    assert f"read back {total - 4} statements from the LRS: all match" in out
    assert ralph.password not in out
    assert lrs.pending(ralph.url, box) == []
    registration = kept[0]["context"]["registration"]
    stored = ralph.all_statements(registration)
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids)) == total  # none lost, none twice
    ours = statements(assessment, bundle, actor={
        "objectType": "Agent", "name": assessment.run.trainee, "mbox": "mailto:ann@example.org"},
        registration=registration, session_id=kept[0]["context"]["extensions"][
            "https://twinlang.org/xapi/extensions/session"], timestamp="2026-11-22T10:00:00Z")
    by_id = {s["id"]: s for s in stored}
    assert set(by_id) == {s["id"] for s in ours}
    for s in ours:
        assert lrs.equivalent(s, by_id[s["id"]])
