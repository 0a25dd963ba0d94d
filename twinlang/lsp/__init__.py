"""The twinlang language server: `twinlang lsp` (pygls, stdio).

Modules: `positions` (code points ↔ UTF-16), `analysis` (checking an unsaved buffer),
`diagnostics` (to LSP diagnostics), `lookup` (the name under the cursor), `hover`,
`completion`, `symbols`, `formatting`, and `server`, which wires them to the protocol.
"""
