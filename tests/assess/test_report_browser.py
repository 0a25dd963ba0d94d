"""report.html in a real browser: headless Chromium renders it without errors.

Run when Chromium is installed (Debian: `apt-get install chromium`, at /usr/bin/chromium;
another binary can be named with TWINLANG_CHROMIUM), skipped with the reason otherwise.
Marked `browser`: `pytest -m browser tests/assess` runs only these.

Each report is opened twice: as written (a screenshot and the DOM), and as a copy with a
probe script appended that records, after the page has loaded, every image that did not
load and every resource the page fetched (the report needs no script; the probe is only in
the copy).  Console messages are read from Chromium's log on stderr.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.assess import report_fixture as fx
from twinlang.assess.report import write_report

CHROMIUM = os.environ.get("TWINLANG_CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 2400

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                       reason=f"Chromium not installed at {CHROMIUM} (Debian: `apt-get install "
                       "chromium`, or set TWINLANG_CHROMIUM)"),
]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--enable-logging=stderr", "--v=0",
         f"--window-size={WIDTH},{HEIGHT}"]

PROBE = """<script>
window.addEventListener("load", function () {
  var broken = [];
  for (var i = 0; i < document.images.length; i++) {
    var im = document.images[i];
    if (!im.complete || im.naturalWidth === 0) {
      broken.push(String(im.getAttribute("src")).slice(0, 80));
    }
  }
  var fetched = performance.getEntriesByType("resource").map(function (r) {
    return r.name.slice(0, 120);
  });
  var out = document.createElement("pre");
  out.id = "twinlang-probe";
  out.textContent = JSON.stringify({images: document.images.length, broken: broken,
                                    fetched: fetched});
  document.body.appendChild(out);
});
</script>
"""
_PROBE_OUT = re.compile(r'<pre id="twinlang-probe">(.*?)</pre>', re.S)
_CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]\s*(.*)")


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                          capture_output=True, text=True, timeout=180, check=False)


def page_problems(stderr: str) -> list[str]:
    """Console messages (script errors, console.error) and failed page loads."""
    out = [m.group(1) for m in _CONSOLE.finditer(stderr)]
    out += [line for line in stderr.splitlines() if "Page load failed" in line]
    return out


def probe(page: Path, tmp: Path) -> tuple[dict, list[str]]:
    """Open a copy of ``page`` with the probe script; return (probe result, problems)."""
    copy = page.with_name("probe-" + page.name)
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                    encoding="utf-8")
    done = chromium(copy.as_uri(), tmp / "profile-probe", "--virtual-time-budget=5000",
                    "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    found = _PROBE_OUT.search(done.stdout)
    assert found is not None, "the probe did not run: " + done.stdout[-500:]
    return json.loads(html.unescape(found.group(1))), page_problems(done.stderr)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def png_is_blank(data: bytes) -> bool:
    """True if the decompressed image data is one repeated byte pattern (a blank page)."""
    pos, chunks = 8, []
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            chunks.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    return len(set(raw[:200_000])) <= 3


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.tags: set[str] = set()
        self._in: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in ("h1", "h2", "h3"):
            self._in, self._text = tag, []

    def handle_endtag(self, tag):
        if tag == self._in:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


@pytest.fixture(scope="module", params=["plain", "hostile"])
def report(request, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp(request.param)
    return write_report(*fx.assessed_run(tmp, hostile=request.param == "hostile"), tmp / "out")


def test_report_renders_in_chromium(report: Path, tmp_path: Path):
    shot = tmp_path / "report.png"
    done = chromium(report.as_uri(), tmp_path / "profile", f"--screenshot={shot}",
                    "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert png_size(data) == (WIDTH, HEIGHT)
    assert len(data) > 20_000 and not png_is_blank(data)

    dom = _Headings()
    dom.feed(done.stdout)
    levels = [h for h in dom.headings if h[0] == "h2"]
    assert [t for _, t in levels] == ["Verdict", "Competencies", "Metrics", "Timeline",
                                      "Per-step times", "Events"]
    assert dom.headings[0][0] == "h1" and dom.headings[0][1].startswith("Assessment report:")
    assert any(h[0] == "h3" for h in dom.headings)
    assert "script" not in dom.tags  # nothing from the scenario or the log became markup
    assert page_problems(done.stderr) == []


def test_report_loads_nothing_and_every_image_shows(report: Path, tmp_path: Path):
    result, problems = probe(report, tmp_path)
    assert result == {"images": 1, "broken": [], "fetched": []}
    assert problems == []


def test_the_checks_see_errors(tmp_path: Path):
    """A page with a script error, a console error and a missing image fails the checks
    (so a clean report passing them means something)."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
                    '<h1>x</h1><img src="missing.png" alt="missing">'
                    "<script>notDefined();</script><script>console.error('boom')</script>"
                    "</body></html>", encoding="utf-8")
    result, problems = probe(page, tmp_path)
    assert result["broken"] == ["missing.png"]
    assert any("notDefined" in p for p in problems)
    assert any("boom" in p for p in problems)
