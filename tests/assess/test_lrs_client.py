"""The LRS client against a small fake LRS on 127.0.0.1 (no ralph needed): addresses,
credentials, retries, the outbox, refused and conflicting statements, read-back."""

from __future__ import annotations

import base64
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from twinlang.assess import lrs
from twinlang.cli import main

PASSWORD = "s3cret-Pa55"


def statement(n: int, **extra) -> dict:
    s = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"s{n}")),
         "actor": {"objectType": "Agent", "mbox": "mailto:ann@example.org"},
         "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
         "object": {"objectType": "Activity", "id": f"https://twinlang.org/xapi/a/{n}"},
         "timestamp": "2026-11-22T08:00:00.000Z"}
    s.update(extra)
    return s


class FakeLRS:
    """Stores statements like ralph: 200 with the new ids, 204 when all were stored,
    409 for a differing statement with a known id; ``script`` forces the next answers."""

    def __init__(self, *, conflict_on_identical: bool = False):
        self.store: dict[str, dict] = {}
        self.script: list[tuple[int, dict]] = []   # (status, headers) for the next POSTs
        self.requests: list[dict] = []
        self.conflict_on_identical = conflict_on_identical
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body=None, headers=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                fake.requests.append({"method": "GET", "path": self.path})
                sid = parse_qs(urlsplit(self.path).query).get("statementId", [None])[0]
                if sid in fake.store:
                    self._answer(200, fake.store[sid])
                else:
                    self._answer(404, {"detail": "not found"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"method": "POST", "path": self.path, "body": body,
                                      "headers": {k.lower(): v
                                                  for k, v in self.headers.items()}})
                if fake.script:
                    status, headers = fake.script.pop(0)
                    return self._answer(status, {"detail": "scripted"}, headers)
                if self.headers.get("Authorization") != "Basic " + base64.b64encode(
                        f"ann:{PASSWORD}".encode()).decode():
                    return self._answer(401, {"detail": "Invalid authentication credentials"})
                if any("verb" not in s for s in body):
                    return self._answer(400, {"detail": [{"loc": ["body", 0, "verb"],
                                                          "msg": "Field required"}]})
                new = []
                for s in body:
                    old = fake.store.get(s["id"])
                    if old is not None and (old != s or fake.conflict_on_identical):
                        return self._answer(409, {"detail": "conflict"})
                for s in body:
                    if s["id"] not in fake.store:
                        fake.store[s["id"]] = s
                        new.append(s["id"])
                self._answer(200 if new else 204, new if new else None)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def posts(self):
        return [r for r in self.requests if r["method"] == "POST"]


@pytest.fixture
def fake():
    f = FakeLRS()
    f.thread.start()
    yield f
    f.server.shutdown()
    f.server.server_close()


@pytest.fixture
def auth():
    return lrs.Auth("ann", PASSWORD)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ------------------------------------------------------------------ configuration


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:8100", "http://127.0.0.1:8100/xAPI/"),
    ("http://127.0.0.1:8100/", "http://127.0.0.1:8100/xAPI/"),
    ("https://lrs.example.org/data/xAPI", "https://lrs.example.org/data/xAPI/"),
    ("https://lrs.example.org/xAPI/statements", "https://lrs.example.org/xAPI/"),
    (" https://lrs.example.org/lrs/abc/ ", "https://lrs.example.org/lrs/abc/"),
])
def test_endpoint(url, expected):
    assert lrs.endpoint(url) == expected


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://lrs.example.org/", "not an http or https address"),
    ("lrs.example.org", "not an http or https address"),
    ("https://ann:pw@lrs.example.org/", "contains credentials"),
    ("https://lrs.example.org/xAPI/?x=1", "has a query"),
])
def test_endpoint_refuses(url, message):
    with pytest.raises(lrs.LrsError, match=message) as info:
        lrs.endpoint(url)
    assert "pw" not in str(info.value).replace("https", "")


def test_credentials_from_environment_and_files(tmp_path):
    env = {lrs.ENV_USER: "ann", lrs.ENV_PASSWORD: PASSWORD}
    got = lrs.credentials(None, env)
    assert (got.username, got.header()) == ("ann", "Basic " + base64.b64encode(
        f"ann:{PASSWORD}".encode()).decode())
    assert PASSWORD not in repr(got) and PASSWORD not in str(got)
    assert lrs.credentials(None, {}) is None
    with pytest.raises(lrs.LrsError, match="set both"):
        lrs.credentials(None, {lrs.ENV_USER: "ann"})
    j = tmp_path / "c.json"
    j.write_text(json.dumps({"username": "bob", "password": "a:b"}))
    assert lrs.credentials(j, env).header().endswith(base64.b64encode(b"bob:a:b").decode())
    line = tmp_path / "c.txt"
    line.write_text("carl:pass:word\n")
    assert lrs.credentials(line, {}).header().endswith(
        base64.b64encode(b"carl:pass:word").decode())
    for bad in ('{"user": "x"}', "no colon here", ""):
        line.write_text(bad)
        with pytest.raises(lrs.LrsError, match="credentials file") as info:
            lrs.credentials(line, {})
        assert "no colon" not in str(info.value)  # the content is never repeated
    with pytest.raises(lrs.LrsError, match="cannot read"):
        lrs.credentials(tmp_path / "missing", {})


def test_outbox_location(tmp_path):
    assert lrs.default_outbox({lrs.ENV_OUTBOX: str(tmp_path)}) == tmp_path
    assert lrs.default_outbox({"XDG_CACHE_HOME": "/c"}).as_posix() == "/c/twinlang/outbox"
    a = lrs.outbox_file(tmp_path, "http://127.0.0.1:8100")
    assert a == lrs.outbox_file(tmp_path, "http://127.0.0.1:8100/xAPI/")
    assert a != lrs.outbox_file(tmp_path, "http://127.0.0.1:8100/other/")
    assert a.name.startswith("127.0.0.1_8100-") and a.suffix == ".jsonl"


# ------------------------------------------------------------------ sending


def test_send_posts_batches_with_the_xapi_headers(fake, auth, tmp_path):
    items = [statement(i) for i in range(5)]
    result = lrs.send(items, fake.url, auth=auth, outbox=tmp_path, batch=2)
    assert (result.sent, result.already, result.kept, result.rejected) == (
        [s["id"] for s in items], [], [], [])
    assert result.ok and result.endpoint == fake.url + "/xAPI/"
    posts = fake.posts()
    assert [len(p["body"]) for p in posts] == [2, 2, 1]
    assert {p["path"] for p in posts} == {"/xAPI/statements"}
    headers = posts[0]["headers"]
    assert headers["x-experience-api-version"] == "1.0.3"
    assert headers["content-type"].startswith("application/json")
    assert not list(tmp_path.glob("*.jsonl"))  # the outbox is empty again
    again = lrs.send(items, fake.url, auth=auth, outbox=tmp_path)
    assert (again.sent, again.already) == ([], [s["id"] for s in items])
    assert lrs.verify(fake.url, items, auth=auth) == []
    assert lrs.fetch(fake.url, str(uuid.uuid4()), auth=auth) is None


def test_retries_5xx_and_429_with_backoff(fake, auth, tmp_path):
    fake.script = [(503, {}), (429, {"Retry-After": "2"}), (500, {})]
    waits = []
    result = lrs.send([statement(1)], fake.url, auth=auth, outbox=tmp_path, backoff=0.25,
                      sleep=waits.append)
    assert result.sent == [statement(1)["id"]] and result.ok
    assert waits == [0.25, 2.0, 1.0]
    assert len(fake.posts()) == 4


def test_unreachable_lrs_keeps_statements_then_flush_sends_them(fake, auth, tmp_path):
    down = closed_port_url()
    items = [statement(i) for i in range(3)]
    waits = []
    result = lrs.send(items, down, auth=auth, outbox=tmp_path, retries=2, backoff=0.1,
                      sleep=waits.append)
    assert result.kept == [s["id"] for s in items] and not result.sent
    assert waits == [0.1, 0.2]
    assert "cannot be reached" in result.problems[0]
    assert lrs.pending(down, tmp_path) == items
    assert lrs.outbox_file(tmp_path, down).stat().st_mode & 0o777 == 0o600  # names trainees
    # the next send to that endpoint sends the outbox first; nothing is sent twice
    result = lrs.send([statement(3), items[0]], down, auth=auth, outbox=tmp_path, retries=0)
    assert result.from_outbox == 3 and len(result.kept) == 4
    assert [s["id"] for s in lrs.pending(down, tmp_path)] == [
        *(s["id"] for s in items), statement(3)["id"]]
    # move the kept statements to the fake LRS's outbox file, as if it had been down
    box = lrs.outbox_file(tmp_path, fake.url)
    lrs.outbox_file(tmp_path, down).rename(box)
    flushed = lrs.flush(fake.url, auth=auth, outbox=tmp_path)
    assert flushed.from_outbox == 4 and len(flushed.sent) == 4 and flushed.ok
    assert not box.exists() and len(fake.store) == 4


def test_refused_credentials_keep_the_statements(fake, tmp_path, capsys):
    result = lrs.send([statement(1)], fake.url, auth=lrs.Auth("ann", "wrong"),
                      outbox=tmp_path)
    assert result.kept == [statement(1)["id"]]
    assert "refused the credentials (HTTP 401)" in result.problems[0]
    assert lrs.ENV_USER in result.problems[0]
    assert len(fake.posts()) == 1  # a 4xx is not retried


def test_a_malformed_statement_is_set_aside_and_the_rest_sent(fake, auth, tmp_path):
    bad = statement(2)
    del bad["verb"]
    items = [statement(1), bad, statement(3)]
    result = lrs.send(items, fake.url, auth=auth, outbox=tmp_path)
    assert result.sent == [items[0]["id"], items[2]["id"]]
    assert result.rejected == [bad["id"]] and not result.kept
    assert "verb: Field required" in result.problems[0]
    rejected = [json.loads(x) for x in result.rejected_file.read_text().splitlines()]
    assert rejected == [bad]
    assert not lrs.pending(fake.url, tmp_path)  # not retried for ever


def test_conflicts_differing_and_identical(auth, tmp_path):
    for identical_409 in (False, True):
        f = FakeLRS(conflict_on_identical=identical_409)
        f.thread.start()
        try:
            f.store[statement(1)["id"]] = statement(1)
            f.store[statement(2)["id"]] = statement(2, timestamp="2026-01-01T00:00:00Z")
            items = [statement(0), statement(1), statement(2)]
            result = lrs.send(items, f.url, auth=auth, outbox=tmp_path / str(identical_409))
            assert result.sent == [statement(0)["id"]]
            assert result.already == [statement(1)["id"]]
            assert result.rejected == [statement(2)["id"]]
            assert "different statement" in result.problems[0]
        finally:
            f.server.shutdown()
            f.server.server_close()


def test_cli_flush_and_send(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(lrs.ENV_USER, "ann")
    monkeypatch.setenv(lrs.ENV_PASSWORD, PASSWORD)
    monkeypatch.setenv(lrs.ENV_OUTBOX, str(tmp_path / "box"))
    assert main(["lrs", "flush", "--lrs", fake.url]) == 0
    assert "nothing to send" in capsys.readouterr().out
    file = tmp_path / "s.jsonl"
    file.write_text("".join(json.dumps(statement(i)) + "\n" for i in range(3)))
    assert main(["lrs", "send", str(file), "--lrs", fake.url, "--verify"]) == 0
    out = capsys.readouterr().out
    assert f"sent 3 xAPI statements to {fake.url}/xAPI/" in out
    assert "read back 3 statements from the LRS: all match" in out
    down = closed_port_url()
    monkeypatch.setattr(lrs, "BACKOFF", 0.01)
    assert main(["lrs", "send", str(file), "--lrs", down]) == 1
    out = capsys.readouterr().out
    assert "warning: 3 xAPI statements kept in the outbox" in out
    assert f"twinlang lrs flush --lrs {down}/xAPI/" in out
    assert PASSWORD not in out
    file.write_text("not json\n")
    assert main(["lrs", "send", str(file), "--lrs", fake.url]) == 2
    assert "line 1 is not JSON" in capsys.readouterr().err
    assert main(["lrs", "flush", "--lrs", "https://ann:x@example.org/"]) == 2
    assert "contains credentials" in capsys.readouterr().err
