/** `itl-lens fixtures -o DIR [--now ISO]`: writes the generated test fixtures (see test-fixtures/README.md). */
import * as path from 'node:path';
import { CliCommand, EXIT_OK, parseArgs, single } from '../io';
import { clearDir, generateFixtures } from '../../fixtures/generateFixtures';
import { parseNow } from '../clock';

export const fixturesCommand: CliCommand = {
  name: 'fixtures',
  summary: 'generate the test fixtures (trust lists and certificates in every state) for a clock',
  usage: 'Usage: itl-lens fixtures -o DIR [--now ISO-8601] [--keys DIR]\n  --keys  where the fixture keys live (default: DIR/keys; missing keys are generated)',
  async run(args, io) {
    const p = parseArgs(args, { values: ['-o', '--out', '--now', '--keys'] });
    const out = path.resolve(io.cwd, single(p, '-o') ?? single(p, '--out') ?? 'test-fixtures');
    const keysDir = path.resolve(io.cwd, single(p, '--keys') ?? path.join(out, 'keys'));
    const now = parseNow(single(p, '--now'));
    clearDir(out);
    const written = generateFixtures({ outDir: out, now, keysDir });
    io.out(`wrote ${written.length} fixtures to ${out} for ${now.toISOString()}\n`);
    return EXIT_OK;
  },
};
