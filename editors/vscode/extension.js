// The twinlang extension for VS Code: starts `twinlang lsp` for .twin files.
// The command comes from the settings `twinlang.server.command` and `twinlang.server.args`
// (default: `twinlang lsp`, found on PATH); see docs/editors.md.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration("twinlang");
  const command = config.get("server.command") || "twinlang";
  const args = config.get("server.args") || ["lsp"];
  return { command, args, transport: TransportKind.stdio };
}

async function start() {
  client = new LanguageClient("twinlang", "twinlang", serverOptions(), {
    documentSelector: [{ scheme: "file", language: "twin" }, { scheme: "untitled", language: "twin" }],
  });
  await client.start();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("twinlang.restartServer", async () => {
      if (client) {
        await client.stop();
      }
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("twinlang.server")) {
        await vscode.commands.executeCommand("twinlang.restartServer");
      }
    }),
  );
  try {
    await start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `twinlang: cannot start the language server (${err.message}). ` +
        "Install twinlang (pip install twinlang) or set `twinlang.server.command`.",
    );
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
