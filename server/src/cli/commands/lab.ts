/** `itl-lens lab [--state DIR] [--delete-itl] [--scenario NAME]`: the one-shot lab with a booting phone. */
import * as path from 'node:path';
import { renderBootInstallReport, runBootInstallTest } from '../../lab/environment/bootInstallTest';
import { DEFAULT_LAB_DIR } from '../../lab/model/labLayout';
import { renderScenarioReportText, runScenarios, scenarioList } from '../../lab/scenarios';
import { CliCommand, EXIT_OK, EXIT_PROBLEMS, UsageError, parseArgs, single } from '../io';

const USAGE = `Usage: itl-lens lab [--state DIR] [--delete-itl]
       itl-lens lab --scenario NAME|all [--state DIR]
  One shot, a few seconds, nothing left running: creates (or reuses) the lab folder — default
  ${DEFAULT_LAB_DIR} in the current folder — starts the CAPF, TFTP and TVS servers on free loopback
  ports, builds the cluster the TFTP server serves (ITL signed by ITLRecovery, a signed
  SEP<MAC>.cnf.xml.sgn whose capfList names the CAPF server, the TVS store), boots an emulated phone
  (CTLSEP/ITLSEP/ITLFile/config over TFTP, verdicts as \`itl-lens compare\` / \`check\` reach them) and
  has it install an RSA 2048 LSC by null string. Prints the phone's timeline and the issued LSC.
  The phone keeps its trust store in DIR/phones/<device>/trust/: a second run judges the new files
  against what the first installed ("reset the phone" = run again).
  --delete-itl   delete the ITL on the phone first (Settings > Security > Trust List): trust on first use
  --scenario     run one troubleshooting scenario (or all) in a temporary lab folder (or --state DIR)
                 instead; names: itl-lens lab --scenario list
  Exit code 0 when the LSC was installed (the scenario passed), 1 otherwise.`;

export const labCommand: CliCommand = {
  name: 'lab',
  summary: `one-shot lab: CAPF + TFTP + TVS on loopback, a phone boots and installs its LSC (lab folder ${DEFAULT_LAB_DIR})`,
  usage: USAGE,
  async run(args, io) {
    const p = parseArgs(args, { values: ['--state', '--scenario'], booleans: ['--delete-itl'] });
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const given = single(p, '--state');
    const scenario = single(p, '--scenario');
    if (scenario !== undefined) {
      const known = scenarioList();
      if (scenario === 'list') {
        for (const s of known) io.out(`${s.id.padEnd(30)} ${s.title}\n`);
        return EXIT_OK;
      }
      if (scenario !== 'all' && !known.some((s) => s.id === scenario)) throw new UsageError(`--scenario: unknown scenario '${scenario}'; known: ${known.map((s) => s.id).join(', ')}`);
      const report = await runScenarios({ only: scenario === 'all' ? undefined : [scenario], baseDir: given ? path.resolve(io.cwd, given) : undefined });
      io.out(renderScenarioReportText(report));
      return report.failed === 0 && !report.cancelled ? EXIT_OK : EXIT_PROBLEMS;
    }
    const stateDir = path.resolve(io.cwd, given ?? DEFAULT_LAB_DIR);
    if (!given) io.out(`Using the lab folder ${stateDir} (the default, ${DEFAULT_LAB_DIR} in the current folder; --state DIR to choose).\n`);
    const report = await runBootInstallTest({ stateDir, deleteItl: p.flags.has('--delete-itl') });
    io.out(renderBootInstallReport(report));
    return report.ok ? EXIT_OK : EXIT_PROBLEMS;
  },
};
