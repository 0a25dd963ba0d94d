"""`twinlang lsp` writes protocol messages, and nothing else, to standard output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _frame(message: dict) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body


def _messages(data: bytes) -> list[dict]:
    out = []
    while data:
        header, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"not a protocol header: {data[:80]!r}"
        fields = dict(line.split(": ", 1) for line in header.decode("ascii").split("\r\n"))
        length = int(fields["Content-Length"])
        out.append(json.loads(rest[:length]))
        data = rest[length:]
    return out


def test_only_protocol_on_stdout(tmp_path: Path):
    uri = (tmp_path / "a.twin").as_uri()
    text = 'module "M"\nrole r "🔒"\nrole r\n'
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": None, "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "twin", "version": 1, "text": text}}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None},
        {"jsonrpc": "2.0", "method": "exit", "params": None},
    ]
    run = subprocess.run([sys.executable, "-m", "twinlang", "lsp", "--stdio", "--verbose"],
                         input=b"".join(map(_frame, requests)), capture_output=True,
                         timeout=120)
    messages = _messages(run.stdout)
    init = next(m for m in messages if m.get("id") == 1)
    caps = init["result"]["capabilities"]
    for feature in ("hoverProvider", "definitionProvider", "completionProvider",
                    "documentSymbolProvider", "documentFormattingProvider"):
        assert caps.get(feature), feature
    assert init["result"]["serverInfo"]["name"] == "twinlang"
    (published,) = [m for m in messages if m.get("method") == "textDocument/publishDiagnostics"]
    (diag,) = published["params"]["diagnostics"]
    assert diag["code"] == "TW0205"
    assert diag["range"]["start"] == {"line": 2, "character": 5}
    assert b"Content-Length" not in run.stderr  # the log went to stderr, the protocol did not
