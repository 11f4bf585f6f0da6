/** `itl-lens capf device …` schedules a certificate operation in a lab folder's device table; `capf status` shows what the server did. */
import * as path from 'node:path';
import { statusRows } from '../../lab/model/deviceStatusRows';
import { loadDeviceStatesSync } from '../../lab/model/deviceStateFiles';
import { labPaths } from '../../lab/model/labLayout';
import { scheduleOperation, normalizeDeviceName, parseAuth, parseDeadline, parseKey, parseOperation, Parsed } from '../../lab/capf/service/deviceSchedule';
import { readDeviceTable } from '../../lab/capf/service/deviceTableFile';
import { DeviceEntry, formatProblems } from '../../lab/model/deviceTable';
import { deadlineProblem } from '../../rules/deviceTableRules';
import { parseNow } from '../nowOption';
import { CliCommand, EXIT_OK, EXIT_USAGE, UsageError, parseArgs, single } from '../io';

const USAGE = `Usage: itl-lens capf device --state DIR --device SEP<12 hex digits> --operation install|delete|fetch|none
                             [--auth null|string:DIGITS|lsc|mic] [--key rsa:2048|ec:P-256|ec-preferred:P-256|…]
                             [--deadline ISO-8601] [--now ISO-8601]
       itl-lens capf status --state DIR [--json]
  device: adds or updates the device in DIR/capf-devices.json, as saving CUCM's Phone Configuration page would.
  --auth      By Null String | By Authentication String (4-10 digits) | By Existing Certificate, precedence to LSC / MIC
  --key       RSA size 512/1024/2048/3072/4096, or EC curve P-256/P-384/P-521 ("EC Only" or "EC Preferred, RSA Backup")
  --deadline  Operation Completes By; without it the operation has no deadline. One that has passed is
              kept (the lab reproduces the guide's "Late/Timedout" failure on purpose), with a warning;
              the install guide asks for at least one hour ahead
  --now       the time the deadline warning is judged at (default: now)
  A running capf-server picks the change up at the phone's next session.
  status: each device's Certificate Operation Status, the operation it applies to and its LSC's serial,
  from the table and the server's state (DIR/capf-state.jsonl). --json: an array of objects.`;

function need<T>(r: Parsed<T>, option: string): T {
  if (!r.ok) throw new UsageError(`${option}: ${r.message}`);
  return r.value;
}

async function status(args: string[], io: Parameters<CliCommand['run']>[1]): Promise<number> {
  const p = parseArgs(args, { values: ['--state'], booleans: ['--json'] });
  const state = single(p, '--state');
  if (!state) throw new UsageError('--state DIR is required (the lab folder)');
  if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  const paths = labPaths(path.resolve(io.cwd, state));
  const table = await readDeviceTable(paths.devices);
  if (!table.ok) {
    io.err(`itl-lens capf status: ${paths.devices} has problems:\n${formatProblems(table.problems)}\n`);
    return EXIT_USAGE;
  }
  const rows = statusRows(table.table.devices, loadDeviceStatesSync(paths));
  if (p.flags.has('--json')) {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT_OK;
  }
  if (!rows.length) io.out(`No devices in ${paths.devices}.\n`);
  for (const r of rows) {
    const lsc = r.lscSerialNumber ? `LSC serial ${r.lscSerialNumber}, valid to ${r.lscNotAfter}` : 'no LSC';
    const note = r.inTable ? '' : ' (no longer in the device table)';
    io.out(`${r.device}  ${r.status}  [${r.operation}${r.completed ? ', done' : ''}]  ${lsc}${note}\n`);
  }
  return EXIT_OK;
}

export const capfCommand: CliCommand = {
  name: 'capf',
  summary: 'the lab CAPF device table: capf device (schedule install, delete, fetch), capf status',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'status') return status(rest, io);
    if (sub !== 'device') throw new UsageError(sub ? `unknown capf subcommand '${sub}'` : 'a subcommand is required');
    const p = parseArgs(rest, { values: ['--state', '--device', '--operation', '--auth', '--key', '--deadline', '--now'] });
    const state = single(p, '--state');
    const device = single(p, '--device');
    const operation = single(p, '--operation');
    if (!state) throw new UsageError('--state DIR is required (the lab folder)');
    if (!device) throw new UsageError('--device SEP… is required');
    if (!operation) throw new UsageError('--operation install|delete|fetch|none is required');
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const auth = single(p, '--auth');
    const key = single(p, '--key');
    const deadline = single(p, '--deadline');
    const now = parseNow(single(p, '--now'));
    const paths = labPaths(path.resolve(io.cwd, state));
    const entry = await scheduleOperation(
      paths.devices,
      {
        device: need(normalizeDeviceName(device), '--device'),
        operation: need(parseOperation(operation), '--operation'),
        auth: auth ? need(parseAuth(auth), '--auth') : undefined,
        key: key ? need(parseKey(key), '--key') : undefined,
        deadline: deadline ? need(parseDeadline(deadline), '--deadline') : undefined,
      },
      now,
    );
    const keyText = entry.keyOrder === 'RSA Only' ? `RSA ${entry.rsaKeySize}` : `${entry.keyOrder}: EC ${entry.ecKeySize}${entry.keyOrder.startsWith('EC Preferred') ? `, RSA ${entry.rsaKeySize} backup` : ''}`;
    const [row] = statusRows([entry], loadDeviceStatesSync(paths));
    io.out(
      [
        `${entry.name} in ${paths.devices}:`,
        `  Certificate Operation:        ${entry.certificateOperation}`,
        `  Authentication Mode:          ${entry.authenticationMode}${entry.authenticationString ? ` (${entry.authenticationString})` : ''}`,
        `  Key:                          ${keyText}`,
        `  Operation Completes By:       ${entry.operationCompletesBy ?? 'no deadline'}`,
        `  Certificate Operation Status: ${row.status}`,
        '',
      ].join('\n'),
    );
    const late = entry.operationCompletesBy && deadlineProblem({ device: entry.name, certificateOperation: entry.certificateOperation, operationCompletesBy: entry.operationCompletesBy }, now);
    if (late) io.err(`itl-lens capf device: warning [${late.code}]: ${late.message}\n`); // saved anyway: the lab reproduces this failure on purpose
    return EXIT_OK;
  },
};
