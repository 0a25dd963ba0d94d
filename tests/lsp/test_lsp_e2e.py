"""End to end: `twinlang lsp` in a subprocess, driven by a pytest-lsp client.

The client announces Visual Studio Code's capabilities (UTF-16 positions, markdown hover,
hierarchical symbols), and pytest-lsp checks every answer against them.  The buffer is a
copy of examples/loto_conveyor.twin in a temporary folder.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "loto_conveyor.twin"

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "twinlang", "lsp"]),
)
async def client(lsp_client: LanguageClient):
    params = types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    result = await lsp_client.initialize_session(params)
    assert result.capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)
    yield
    await lsp_client.shutdown_session()


_COUNTER = iter(range(1_000_000))


async def _open(client: LanguageClient, folder: Path, text: str) -> str:
    """Open ``text`` as a new .twin file in ``folder``; wait for its diagnostics."""
    path = folder / f"buffer{next(_COUNTER)}.twin"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="twin", version=1, text=text)))
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


def _pos(text: str, needle: str, delta: int = 0) -> types.Position:
    """The UTF-16 position of ``needle`` (plus ``delta`` characters) in ``text``."""
    offset = text.index(needle) + delta
    before = text[:offset]
    line = before.count("\n")
    col = before[before.rfind("\n") + 1:]
    return types.Position(line=line, character=len(col.encode("utf-16-le")) // 2)


@pytest.fixture
def example(tmp_path: Path) -> str:
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    return EXAMPLE.read_text(encoding="utf-8")


async def test_clean_example_has_no_diagnostics(client: LanguageClient, tmp_path, example):
    uri = await _open(client, tmp_path, example)
    assert list(client.diagnostics[uri]) == []


async def test_diagnostics_follow_changes_with_codes_and_related_info(
        client: LanguageClient, tmp_path, example):
    uri = await _open(client, tmp_path, example)
    # A second equipment `M-12`: an error with a label at the first declaration.
    extra = 'equipment M-12 "Copy" is Motor { coast_down = 5 s }\n'
    end = types.Position(line=example.count("\n"), character=0)
    client.diagnostics.pop(uri)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=end, end=end), text=extra)]))
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    (diag,) = [d for d in client.diagnostics[uri] if d.code == "TW0205"]
    assert diag.severity == types.DiagnosticSeverity.Error
    assert diag.source == "twinlang"
    assert diag.range.start == types.Position(line=example.count("\n"), character=10)
    assert diag.code_description.href.endswith("docs/diagnostics.md#tw0205-duplicate-definition")
    assert "help:" in diag.message
    (rel,) = diag.related_information
    assert rel.location.uri == uri
    assert rel.location.range.start == _pos(example, "M-12 \"C-12 drive motor\"")


async def test_step_graph_rules_run_on_the_unsaved_buffer(client: LanguageClient, tmp_path,
                                                          example):
    # Drop the try-out step from the buffer only: the file on disk still has it.
    start = example.index('  step tryout "Try')
    stop = example.index("  # App. A: return the operating controls")
    text = example[:start] + example[stop:]
    text = text.replace("step_time tryout <= 2 min", "step_time bleed <= 2 min")
    uri = await _open(client, tmp_path, text)
    codes = {d.code for d in client.diagnostics[uri]}
    assert codes, "removing the try-out must be reported"
    assert all(c >= "TW0500" for c in codes), codes  # graph rules, not name errors


async def test_syntax_error_then_fix(client: LanguageClient, tmp_path, example):
    broken = example.replace('role supervisor "Shift supervisor"', 'role supervisor "Shift')
    uri = await _open(client, tmp_path, broken)
    assert any(d.code == "TW0103" for d in client.diagnostics[uri])


async def test_hover_on_parameter_shows_dimension_unit_range_and_kind(
        client: LanguageClient, tmp_path, example):
    uri = await _open(client, tmp_path, example)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_pos(example, "rated_voltage = 480 V", 3)))
    text = hover.contents.value
    assert "`rated_voltage`: voltage" in text
    assert "`480 V`" in text
    assert "range: `50 V` .. `15 kV`" in text
    assert "kind `Disconnect` at `stdlib/equipment.twin:" in text


async def test_hover_on_step_shows_role_verifier_and_expectations(
        client: LanguageClient, tmp_path, example):
    uri = await _open(client, tmp_path, example)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_pos(example, "goto bleed", 6)))
    text = hover.contents.value
    assert "**step** `bleed`" in text
    assert "role: `mechanic`" in text
    assert "expects `ACC-3.pressure < 1 bar within 2 min`" in text
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_pos(example, "step tryout", 6)))
    assert "verified by: `supervisor`" in hover.contents.value


async def test_hover_on_equipment_and_on_a_diagnostic(client: LanguageClient, tmp_path,
                                                      example):
    text = example.replace("coast_down = 25 s", "coast_down = 25 m")
    uri = await _open(client, tmp_path, text)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_pos(text, "bleed ACC-3", 7)))
    assert "kind `Accumulator`" in hover.contents.value
    assert "- `precharge` = `90 bar`" in hover.contents.value
    (diag,) = client.diagnostics[uri]
    assert diag.code == "TW0302"
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=diag.range.start))
    assert "**TW0302" in hover.contents.value


async def test_definition_in_file_and_across_use(client: LanguageClient, tmp_path, example):
    uri = await _open(client, tmp_path, example)
    loc = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_pos(example, "bleed ACC-3", 7)))
    assert loc.uri == uri
    assert loc.range.start == _pos(example, 'ACC-3 "Take-up accumulator"')
    loc = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_pos(example, "is Accumulator", 4)))
    assert loc.uri.endswith("/stdlib/equipment.twin")
    line = Path(loc.uri.removeprefix("file://")).read_text().split("\n")[loc.range.start.line]
    assert line.startswith("kind Accumulator ")


async def test_definition_of_a_sibling_module_name(client: LanguageClient, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "roles.twin").write_text(
        'module "Roles"\n\nrole mechanic "Mechanic" { qualified }\n', encoding="utf-8")
    text = ('scenario "S" {\n  id s\n  risk low\n}\n\nuse site.roles.{mechanic}\n\n'
            'procedure p "P" {\n  performed_by mechanic\n  step a: work "x"\n}\n')
    uri = await _open(client, tmp_path, text)
    loc = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_pos(text, "performed_by mechanic", 14)))
    assert loc.uri == (tmp_path / "site" / "roles.twin").as_uri()
    assert loc.range.start == types.Position(line=2, character=5)


async def test_positions_are_utf16_after_non_bmp_characters(client: LanguageClient, tmp_path):
    # 🔒 is one code point but two UTF-16 units: columns after it differ by one.
    text = ('scenario "S" {\n  id s\n  risk low\n}\n\nuse stdlib.equipment.{Motor}\n\n'
            'equipment M-1 "🔒 motor" is Motor { coast_down = 3 q }  # ⚡🔒\n'
            'role r "🔒🔒" # 🔒\n')
    uri = await _open(client, tmp_path, text)
    (diag,) = [d for d in client.diagnostics[uri] if d.code == "TW0301"]
    start = _pos(text, "q }")
    assert diag.range.start == start
    assert diag.range.end == types.Position(line=start.line, character=start.character + 1)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=_pos(text, "Motor {", 2)))
    assert "**kind** `Motor`" in hover.contents.value
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    (role,) = [s for s in symbols if s.name == "r"]
    assert role.range.end == _pos(text, " # 🔒\n")


async def test_completion_of_actions_tags_units_and_keywords(client: LanguageClient,
                                                             tmp_path, example):
    uri = await _open(client, tmp_path, example)

    async def labels(position: types.Position) -> list[str]:
        result = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position))
        items = result.items if isinstance(result, types.CompletionList) else result
        return [i.label for i in items]

    # After `bleed `: only equipment whose kind accepts `bleed`.
    assert await labels(_pos(example, "bleed ACC-3", 6)) == ["ACC-3"]
    # Units of the parameter's dimension.
    units = await labels(_pos(example, "rated_voltage = 480 V", 20))
    assert "kV" in units and "bar" not in units
    units = await labels(_pos(example, "ACC-3.pressure < 1 bar", 19))
    assert "psi" in units and "V" not in units
    # At the start of a statement in a procedure: keywords, verbs the kinds accept, tags.
    found = await labels(_pos(example, "  step prepare", 2))
    assert {"step", "parallel", "press", "bleed", "try_start", "DS-12"} <= set(found)
    # At the top level: declarations.
    found = await labels(types.Position(line=example.count("\n"), character=0))
    assert {"equipment", "procedure", "use"} <= set(found) and "step" not in found
    # After `TAG.`: states and parameters of its kind.
    found = await labels(_pos(example, "M-12.speed <= 0.1", 5))
    assert "speed" in found


async def test_document_symbols(client: LanguageClient, tmp_path, example):
    uri = await _open(client, tmp_path, example)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    by_name = {s.name: s for s in symbols}
    assert by_name["DS-12"].kind == types.SymbolKind.Object
    proc = by_name["lockout"]
    assert proc.kind == types.SymbolKind.Function
    steps = [c.name for c in proc.children]
    assert steps[:3] == ["prepare", "notify_start", "stop"] and "tryout" in steps
    assert proc.selection_range.start == _pos(example, 'lockout "Lock out')


async def test_formatting_returns_the_canonical_layout(client: LanguageClient, tmp_path,
                                                       example):
    fmt = pytest.importorskip("twinlang.fmt")
    messy = example.replace("  id loto-conveyor-c12", "id    loto-conveyor-c12", 1)
    uri = await _open(client, tmp_path, messy)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    expected = fmt.format_text(messy, name="buffer.twin")
    assert expected != messy
    (edit,) = edits
    assert edit.range.start == types.Position(line=0, character=0)
    assert edit.new_text == expected
    # An already formatted buffer needs no edit.
    uri = await _open(client, tmp_path, expected)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert not edits
