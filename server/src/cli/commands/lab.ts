/** `itl-lens lab [--state DIR]`: the one-shot local LSC install test. */
import * as path from 'node:path';
import { renderInstallReport, runLscInstallTest } from '../../capf/lab/installTest';
import { DEFAULT_LAB_DIR } from '../../capf/model/labLayout';
import { CliCommand, EXIT_OK, EXIT_PROBLEMS, UsageError, parseArgs, single } from '../io';

const USAGE = `Usage: itl-lens lab [--state DIR]
  One shot, a few seconds, nothing left running: creates (or reuses) the lab folder — default
  ${DEFAULT_LAB_DIR} in the current folder — with its CAPF certificate, builds a reference-shaped ITL
  carrying it, starts the CAPF server on a free loopback port, and has an emulated phone install an
  RSA 2048 LSC by null string. Prints the phone's timeline and the issued LSC.
  Exit code 0 when the LSC was installed, 1 otherwise.`;

export const labCommand: CliCommand = {
  name: 'lab',
  summary: `one-shot local LSC install test (CAPF server + phone on loopback; lab folder ${DEFAULT_LAB_DIR})`,
  usage: USAGE,
  async run(args, io) {
    const p = parseArgs(args, { values: ['--state'] });
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const given = single(p, '--state');
    const stateDir = path.resolve(io.cwd, given ?? DEFAULT_LAB_DIR);
    if (!given) io.out(`Using the lab folder ${stateDir} (the default, ${DEFAULT_LAB_DIR} in the current folder; --state DIR to choose).\n`);
    const report = await runLscInstallTest({ stateDir });
    io.out(renderInstallReport(report));
    return report.ok ? EXIT_OK : EXIT_PROBLEMS;
  },
};
