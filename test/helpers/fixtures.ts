/** Generated fixtures for tests: written once per test process into a temp dir, relative to TEST_NOW. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateFixtures } from '../../server/src/fixtures/generateFixtures';
import { TLV_LAYOUTS, TlvLayoutName } from '../../server/src/core/tlv/build';

/** The tests' clock. Fixtures are generated relative to it, so expiry cases never go stale. */
export const TEST_NOW = new Date('2030-06-15T12:00:00Z');
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const KEYS_DIR = path.join(REPO_ROOT, 'test-fixtures', 'keys');

/**
 * Which writer's layout the trust lists have: 'cucm' (the default: `;` names, CN first) or 'tlvfile'
 * (usecallmanagernz tlvfile: `,` names in the certificate's order, its record tag order).
 */
export type FixtureLayout = TlvLayoutName;

const dirs = new Map<FixtureLayout, string>();

export function fixturesDir(layout: FixtureLayout = 'cucm'): string {
  let dir = dirs.get(layout);
  if (!dir) {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), `itl-lens-fixtures-${layout}-`));
    generateFixtures({ outDir: made, now: TEST_NOW, keysDir: KEYS_DIR, layout: TLV_LAYOUTS[layout] });
    process.on('exit', () => fs.rmSync(made, { recursive: true, force: true }));
    dirs.set(layout, (dir = made));
  }
  return dir;
}

export function fixture(rel: string, layout?: FixtureLayout): Buffer {
  return fs.readFileSync(path.join(fixturesDir(layout), rel));
}

export function fixturePath(rel: string, layout?: FixtureLayout): string {
  return path.join(fixturesDir(layout), rel);
}
