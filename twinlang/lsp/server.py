"""The twinlang language server (pygls 2, stdio).

Each feature lives in a module of its own (analysis, diagnostics, hover, lookup, completion,
symbols, formatting); this module wires them to the protocol.  Standard output carries the
protocol and nothing else: logging goes to standard error, and `sys.stdout` is pointed at
standard error while the server runs so that a stray `print` cannot corrupt the stream.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .._version import __version__
from .analysis import Analysis, check_buffer
from .completion import complete
from .diagnostics import Locator, to_lsp
from .formatting import FormatUnavailable, format_edits
from .hover import hover_text
from .lookup import find_target
from .positions import LineIndex
from .symbols import document_symbols

log = logging.getLogger("twinlang.lsp")


class TwinServer(LanguageServer):
    """Keeps the latest analysis of each open buffer, and the latest one that parsed."""

    def __init__(self) -> None:
        super().__init__("twinlang", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.analyses: dict[str, Analysis] = {}
        self.parsed: dict[str, Analysis] = {}

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    def index(self, uri: str) -> LineIndex:
        return LineIndex(self.workspace.get_text_document(uri).source, self.encoding)

    def analyse(self, uri: str) -> Analysis | None:
        """Check the buffer ``uri`` and publish its diagnostics."""
        path_text = to_fs_path(uri)
        if path_text is None:
            return None
        doc = self.workspace.get_text_document(uri)
        others = {}
        for other_uri, other in self.workspace.text_documents.items():
            other_path = to_fs_path(other_uri)
            if other_uri != uri and other_path is not None:
                others[Path(other_path)] = other.source
        try:
            analysis = check_buffer(Path(path_text), doc.source, others)
        except Exception:  # never let a bug in a check take the editor's server down
            log.exception("checking %s failed", uri)
            return None
        self.analyses[uri] = analysis
        if analysis.module is not None and analysis.module.ast is not None:
            self.parsed[uri] = analysis
        locator = Locator(analysis, LineIndex(doc.source, self.encoding), self.encoding)
        diagnostics = [to_lsp(d, locator) for d in analysis.own_diagnostics]
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, diagnostics=diagnostics, version=doc.version))
        return analysis

    def current(self, uri: str) -> Analysis | None:
        return self.analyses.get(uri) or self.analyse(uri)


server = TwinServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: TwinServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.analyse(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: TwinServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.analyse(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: TwinServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.analyse(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: TwinServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.analyses.pop(uri, None)
    ls.parsed.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: TwinServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    analysis = ls.current(uri)
    if analysis is None:
        return None
    index = ls.index(uri)
    offset = index.offset(params.position)
    line, column = index.line_col(params.position)
    text = hover_text(analysis, offset, line, column)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: TwinServer, params: types.DefinitionParams) -> types.Location | None:
    uri = params.text_document.uri
    ls.current(uri)
    analysis = ls.parsed.get(uri)
    if analysis is None or analysis.text != ls.workspace.get_text_document(uri).source:
        return None  # positions in an older text would point at the wrong place
    target = find_target(analysis.module, ls.index(uri).offset(params.position))
    if target is None or target.module is None:
        return None
    locator = Locator(analysis, ls.index(uri), ls.encoding)
    if target.category == "module":
        start = types.Position(line=0, character=0)
        return types.Location(uri=target.module.path.as_uri(),
                              range=types.Range(start=start, end=start))
    span = target.decl_span
    return locator.location(span) if span is not None else None


@server.feature(types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionOptions(trigger_characters=[".", " "]))
def completion(ls: TwinServer, params: types.CompletionParams) -> types.CompletionList:
    uri = params.text_document.uri
    ls.current(uri)
    index = ls.index(uri)
    items = complete(ls.parsed.get(uri), index.text, index.offset(params.position))
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def symbols(ls: TwinServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    uri = params.text_document.uri
    ls.current(uri)
    analysis = ls.parsed.get(uri)
    if analysis is None or analysis.text != ls.workspace.get_text_document(uri).source:
        return []
    return document_symbols(analysis.module.ast, ls.index(uri))


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: TwinServer, params: types.DocumentFormattingParams) -> list[types.TextEdit]:
    uri = params.text_document.uri
    doc = ls.workspace.get_text_document(uri)
    name = Path(to_fs_path(uri) or "<buffer>").name
    try:
        return format_edits(doc.source, name, ls.index(uri))
    except FormatUnavailable as exc:
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                       message=str(exc)))
        return []


def main(log_file: str | None = None, verbose: bool = False) -> None:
    """Serve on standard input and output until the client exits."""
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed by mistake goes to the log, not the client
    handler = logging.FileHandler(log_file) if log_file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    server.start_io(sys.stdin.buffer, protocol_out)
