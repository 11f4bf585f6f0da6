/** A throw-away workspace folder for protocol tests, filled with copies of generated fixtures. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FixtureLayout, fixturePath } from '../helpers/fixtures';

export class TestWorkspace {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-ws-'));

  /**
   * Copies fixture files: `'cluster/ITLFile.tlv'` to the same path, `['cluster/ITLFile.tlv', 'a/ITLFile.tlv']`
   * elsewhere; `layout` says whose trust lists (default CUCM's; the certificate files are the same in both).
   */
  constructor(files: Array<string | [string, string]>, private readonly layout?: FixtureLayout) {
    for (const f of files) typeof f === 'string' ? this.copy(f, f) : this.copy(f[0], f[1]);
  }

  path(rel: string): string {
    return path.join(this.root, rel);
  }

  copy(fixture: string, rel: string): string {
    const target = this.path(rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(fixturePath(fixture, this.layout), target);
    return target;
  }

  remove(rel: string): void {
    fs.rmSync(this.path(rel), { recursive: true, force: true });
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
