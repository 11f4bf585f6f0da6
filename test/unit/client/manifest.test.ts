/** The extension manifest (package.json) against the contract and the files it names. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CERTIFICATE_VIEW_EXTENSION,
  CERTIFICATE_VIEW_LANGUAGE,
  Commands,
  COMPARISON_VIEW_EXTENSION,
  COMPARISON_VIEW_LANGUAGE,
  TRUST_LIST_VIEW_EXTENSION,
  TRUST_LIST_VIEW_LANGUAGE,
  VIEW_SCHEME,
  viewKindForPath,
} from '../../../server/src/shared/lspExtensions';
import { DEVICE_TABLE_FILE } from '../../../server/src/lab/model/labLayout';
import { REPO_ROOT } from '../../helpers/fixtures';

interface Command {
  command: string;
  title: string;
  category?: string;
  enablement?: string;
}
interface Property {
  description?: string;
  markdownDescription?: string;
  default?: unknown;
}

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const contributes = manifest.contributes;
const commands: Command[] = contributes.commands;
const properties: Record<string, Property> = contributes.configuration.properties;
const LAB_COMMANDS = [
  Commands.startCapfServer,
  Commands.stopCapfServer,
  Commands.runLscInstallTest,
  Commands.runLscScenarios,
  Commands.editCapfDeviceTable,
  Commands.runPhoneBootTest,
];
/** commands that run programs of the workspace's (git reads the repository's configuration) */
const TRUSTED_COMMANDS = [...LAB_COMMANDS, Commands.compareWithCommitted];

describe('client: extension manifest', () => {
  it('contributes every command of the contract, in the ITL Lens category, and no other', () => {
    assert.deepEqual(commands.map((c) => c.command).sort(), Object.values(Commands).sort());
    for (const c of commands) {
      assert.equal(c.category, 'ITL Lens', c.command);
      assert.ok(c.title, c.command);
    }
  });

  it('menus name only contributed commands', () => {
    const known = new Set(commands.map((c) => c.command));
    for (const [menu, items] of Object.entries(contributes.menus as Record<string, Array<{ command: string }>>)) {
      for (const item of items) assert.ok(known.has(item.command), `${menu}: ${item.command}`);
    }
  });

  it('commands that start servers or write files need workspace trust; decoding does not', () => {
    for (const c of commands) {
      assert.equal(c.enablement, TRUSTED_COMMANDS.includes(c.command as never) ? 'isWorkspaceTrusted' : undefined, c.command);
    }
    const { untrustedWorkspaces, virtualWorkspaces } = manifest.capabilities;
    assert.equal(untrustedWorkspaces.supported, 'limited');
    assert.ok(untrustedWorkspaces.description);
    for (const key of untrustedWorkspaces.restrictedConfigurations) assert.ok(properties[key], key);
    for (const key of Object.keys(properties).filter((k) => k.startsWith('itlLens.lab.'))) assert.ok(untrustedWorkspaces.restrictedConfigurations.includes(key), `${key} is restricted`);
    assert.ok(['limited', true].includes(virtualWorkspaces.supported));
  });

  it('describes every setting and keeps the documented defaults', () => {
    for (const [key, p] of Object.entries(properties)) {
      assert.match(key, /^itlLens\./);
      assert.ok(p.description || p.markdownDescription, `${key} has no description`);
    }
    assert.equal(properties['itlLens.capf.nearExpiryDays'].default, 30);
    assert.equal(properties['itlLens.lab.host'].default, '127.0.0.1');
    assert.equal(properties['itlLens.lab.port'].default, 3804);
    assert.equal(properties['itlLens.trace.server'].default, 'off');
    assert.ok(properties['itlLens.diagnostics.severity']);
    assert.ok(properties['itlLens.lab.stateDirectory']);
    assert.equal(properties['itlLens.lab.tlsMin'].default, '1.2');
  });

  it('gives the view languages the contract\'s file extensions, with grammars', () => {
    const languages = new Map<string, { extensions: string[] }>(contributes.languages.map((l: { id: string }) => [l.id, l]));
    assert.deepEqual(languages.get(TRUST_LIST_VIEW_LANGUAGE)?.extensions, [TRUST_LIST_VIEW_EXTENSION]);
    assert.deepEqual(languages.get(CERTIFICATE_VIEW_LANGUAGE)?.extensions, [CERTIFICATE_VIEW_EXTENSION]);
    assert.deepEqual(languages.get(COMPARISON_VIEW_LANGUAGE)?.extensions, [COMPARISON_VIEW_EXTENSION]);
    const grammarLanguages = contributes.grammars.map((g: { language: string }) => g.language).sort();
    assert.deepEqual(grammarLanguages, [CERTIFICATE_VIEW_LANGUAGE, TRUST_LIST_VIEW_LANGUAGE, COMPARISON_VIEW_LANGUAGE].sort());
    assert.ok(manifest.activationEvents.includes(`onFileSystem:${VIEW_SCHEME}`), 'views restore after a reload');
  });

  it('opens every binary trust list and certificate name in the decoded view by default', () => {
    const [editor] = contributes.customEditors;
    assert.equal(editor.priority, 'default');
    const patterns = editor.selector.map((s: { filenamePattern: string }) => s.filenamePattern).sort();
    assert.deepEqual(patterns, ['*.cer', '*.crt', '*.der', '*.sgn', '*.sha512', '*.tlv']);
    for (const p of patterns) assert.ok(viewKindForPath(p.slice(1)), `${p} has a view kind`);
  });

  it('validates the lab device table by the name the lab writes', () => {
    const [validation] = contributes.jsonValidation;
    assert.equal(validation.fileMatch, `**/${DEVICE_TABLE_FILE}`);
  });

  it('names only files that exist', () => {
    const named = [
      manifest.main,
      manifest.icon,
      ...contributes.grammars.map((g: { path: string }) => g.path),
      ...contributes.jsonValidation.map((j: { url: string }) => j.url),
    ];
    // dist/ is build output; its sources must exist instead.
    for (const file of named.filter((f: string) => !f.includes('dist/'))) {
      assert.ok(fs.existsSync(path.join(REPO_ROOT, file)), `${file} is missing`);
    }
  });

  it('targets VS Code 1.100 (code-server 4.100) and no newer API than @types/vscode allows', () => {
    const engine = /^\^(\d+)\.(\d+)\.\d+$/.exec(manifest.engines.vscode);
    assert.ok(engine, manifest.engines.vscode);
    assert.deepEqual([Number(engine[1]), Number(engine[2]) <= 100], [1, true]);
    const types = /(\d+)\.(\d+)/.exec(manifest.devDependencies['@types/vscode']);
    assert.ok(types && Number(types[2]) <= Number(engine[2]), 'vsce refuses @types/vscode newer than engines.vscode');
  });
});
