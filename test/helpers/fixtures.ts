/** Generated fixtures for tests: written once per test process into a temp dir, relative to TEST_NOW. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateFixtures } from '../../server/src/fixtures/generateFixtures';

/** The tests' clock. Fixtures are generated relative to it, so expiry cases never go stale. */
export const TEST_NOW = new Date('2030-06-15T12:00:00Z');
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const KEYS_DIR = path.join(REPO_ROOT, 'test-fixtures', 'keys');

let dir: string | undefined;

export function fixturesDir(): string {
  if (!dir) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itl-lens-fixtures-'));
    generateFixtures({ outDir: dir, now: TEST_NOW, keysDir: KEYS_DIR });
    process.on('exit', () => fs.rmSync(dir!, { recursive: true, force: true }));
  }
  return dir;
}

export function fixture(rel: string): Buffer {
  return fs.readFileSync(path.join(fixturesDir(), rel));
}

export function fixturePath(rel: string): string {
  return path.join(fixturesDir(), rel);
}
