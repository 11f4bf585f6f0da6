/**
 * Entry point for extension-host tests (`extensionTestsPath`): runs every *.test.js beside this file with
 * Mocha inside the editor, where the `vscode` API is real. Used by test/e2e/runExtensionTests.js (code-server)
 * and by @vscode/test-electron's runTests in desktop VS Code alike.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 120000 });
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension test${failures === 1 ? '' : 's'} failed`);
}
