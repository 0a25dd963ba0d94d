"""A strict little DOM for the report tests, built with the standard library's HTML parser:
every element must be closed by its own end tag (void elements excepted), so an unbalanced
template fails the parse instead of being repaired silently."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    def iter(self, tag: str | None = None):
        if tag is None or self.tag == tag:
            yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter(tag)

    def find_all(self, tag: str) -> list[Element]:
        return [e for e in self.iter(tag) if e is not self]

    def find(self, tag: str) -> Element:
        found = self.find_all(tag)
        assert found, f"no <{tag}> in <{self.tag}>"
        return found[0]

    def by_id(self, ident: str) -> Element:
        for e in self.iter():
            if e.attrs.get("id") == ident:
                return e
        raise AssertionError(f"no element with id {ident!r}")

    def text(self) -> str:
        out = []
        for c in self.children:
            out.append(c if isinstance(c, str) else c.text())
        return "".join(out)

    def words(self) -> str:
        return " ".join(self.text().split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        el = Element(tag, dict(attrs))
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        open_tag = self.stack[-1].tag
        assert open_tag == tag, f"</{tag}> closes <{open_tag}> (line {self.getpos()[0]})"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(text: str) -> tuple[Element, str | None]:
    """(the document, its doctype declaration)."""
    b = _Builder()
    b.feed(text)
    b.close()
    assert len(b.stack) == 1, f"unclosed elements: {[e.tag for e in b.stack[1:]]}"
    return b.root, b.doctype


def table_rows(table: Element) -> list[list[str]]:
    """The text of each cell, row by row (header row included)."""
    return [[c.words() for c in tr.children if isinstance(c, Element) and c.tag in ("th", "td")]
            for tr in table.iter("tr")]
