/** `itl-lens fixtures -o DIR [--now ISO]`: writes the generated test fixtures (DIR/README.md says what each shows). */
import * as path from 'node:path';
import { CliCommand, EXIT_OK, UsageError, parseArgs, single } from '../io';
import { clearDir, generateFixtures } from '../../fixtures/generateFixtures';
import { parseNow } from '../nowOption';
import { isTlvLayoutName, TLV_LAYOUTS } from '../../core/tlv/build';

export const fixturesCommand: CliCommand = {
  name: 'fixtures',
  summary: 'generate the test fixtures (trust lists and certificates in every state) for a clock',
  usage:
    'Usage: itl-lens fixtures -o DIR [--now ISO-8601] [--keys DIR] [--layout cucm|tlvfile]\n' +
    '  --keys    where the fixture keys live (default: DIR/keys; missing keys are generated)\n' +
    "  --layout  cucm (default: ';' names, CN first, ascending tags) or tlvfile (',' names in the certificate's order, tags 1,3,5,6,4,7,8,9)",
  async run(args, io) {
    const p = parseArgs(args, { values: ['-o', '--out', '--now', '--keys', '--layout'] });
    const layoutName = single(p, '--layout') ?? 'cucm';
    if (!isTlvLayoutName(layoutName)) throw new UsageError(`--layout must be cucm or tlvfile, not '${layoutName}'`);
    const out = path.resolve(io.cwd, single(p, '-o') ?? single(p, '--out') ?? 'test-fixtures');
    const keysDir = path.resolve(io.cwd, single(p, '--keys') ?? path.join(out, 'keys'));
    const now = parseNow(single(p, '--now'));
    clearDir(out);
    const written = generateFixtures({ outDir: out, now, keysDir, layout: TLV_LAYOUTS[layoutName] });
    io.out(`wrote ${written.length} fixtures to ${out} for ${now.toISOString()}\n`);
    return EXIT_OK;
  },
};
