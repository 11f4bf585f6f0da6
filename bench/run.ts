/** `npm run bench`: every benchmark, each figure as a ratio to a floor measured in the same run. */
import { BenchResult } from './types';
import { runTlvBench } from './tlvBench';
import { runServerBench } from './serverBench';
import { runCapfBench } from './capfBench';
import { runBootBench } from './bootBench';

const SUITES: Array<[string, () => Promise<BenchResult[]>]> = [
  ['trust-list codec', runTlvBench],
  ['language server', runServerBench],
  ['CAPF lab', runCapfBench],
  ['phone boot', runBootBench],
];

async function main(): Promise<void> {
  const only = process.argv[2];
  console.log(`ITL Lens benchmarks — node ${process.version}, ${require('node:os').cpus().length} cores, ${new Date().toISOString()}`);
  for (const [title, run] of SUITES) {
    if (only && !title.includes(only)) continue;
    console.log(`\n## ${title}`);
    for (const r of await run()) {
      const value = r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(3);
      const ratio = r.ratio !== undefined ? `  ratio ${r.ratio.toFixed(2)}` : '';
      console.log(`${r.name.padEnd(62)} ${value.padStart(10)} ${r.unit.padEnd(8)}${ratio}${r.goal ? `   goal: ${r.goal}` : ''}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
