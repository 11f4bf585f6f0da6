/** `itl-lens capf device …`: schedules a certificate operation in a lab folder's device table. */
import * as path from 'node:path';
import { scheduleOperation, normalizeDeviceName, parseAuth, parseDeadline, parseKey, parseOperation, Parsed } from '../../capf/server/deviceSchedule';
import { DeviceTableStore } from '../../capf/server/deviceTableStore';
import { labPaths, openLabRegister } from '../../capf/server/labState';
import { LscRegister } from '../../capf/server/lscRegister';
import { deadlineProblem } from '../../rules/deviceTableRules';
import { parseNow } from '../clock';
import { CliCommand, EXIT_OK, UsageError, parseArgs, single } from '../io';

const USAGE = `Usage: itl-lens capf device --state DIR --device SEP<12 hex digits> --operation install|delete|fetch|none
                             [--auth null|string:DIGITS|lsc|mic] [--key rsa:2048|ec:P-256|ec-preferred:P-256|…]
                             [--deadline ISO-8601] [--now ISO-8601]
  Adds or updates the device in DIR/capf-devices.json, as saving CUCM's Phone Configuration page would.
  --auth      By Null String | By Authentication String (4-10 digits) | By Existing Certificate, precedence to LSC / MIC
  --key       RSA size 512/1024/2048/3072/4096, or EC curve P-256/P-384/P-521 ("EC Only" or "EC Preferred, RSA Backup")
  --deadline  Operation Completes By; without it the operation has no deadline. One that has passed is
              kept (the lab reproduces the guide's "Late/Timedout" failure on purpose), with a warning;
              the install guide asks for at least one hour ahead
  --now       the time the deadline warning is judged at (default: now)
  A running capf-server picks the change up at the phone's next session.`;

function need<T>(r: Parsed<T>, option: string): T {
  if (!r.ok) throw new UsageError(`${option}: ${r.message}`);
  return r.value;
}

export const capfCommand: CliCommand = {
  name: 'capf',
  summary: 'manage the lab CAPF device table (capf device …: schedule install, delete, fetch)',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
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
    // a journal left by a server that stopped without writing it in is taken in by this write, its LSCs
    // into the register: opened only if that happens
    let register: Promise<LscRegister> | undefined;
    const openRegister = () => (register ??= openLabRegister(paths).then((r) => r.register));
    const store = new DeviceTableStore(paths.devices, {
      register: { append: async (l) => (await openRegister()).append(l), readAll: async () => (await openRegister()).readAll() },
      onRepair: (message) => io.err(`itl-lens capf device: ${message}\n`),
    });
    const entry = await scheduleOperation(store, {
      device: need(normalizeDeviceName(device), '--device'),
      operation: need(parseOperation(operation), '--operation'),
      auth: auth ? need(parseAuth(auth), '--auth') : undefined,
      key: key ? need(parseKey(key), '--key') : undefined,
      deadline: deadline ? need(parseDeadline(deadline), '--deadline') : undefined,
    });
    if (register) await (await register).close();
    const keyText = entry.keyOrder === 'RSA Only' ? `RSA ${entry.rsaKeySize}` : `${entry.keyOrder}: EC ${entry.ecKeySize}${entry.keyOrder.startsWith('EC Preferred') ? `, RSA ${entry.rsaKeySize} backup` : ''}`;
    io.out(
      [
        `${entry.name} in ${store.file}:`,
        `  Certificate Operation:        ${entry.certificateOperation}`,
        `  Authentication Mode:          ${entry.authenticationMode}${entry.authenticationString ? ` (${entry.authenticationString})` : ''}`,
        `  Key:                          ${keyText}`,
        `  Operation Completes By:       ${entry.operationCompletesBy ?? 'no deadline'}`,
        `  Certificate Operation Status: ${entry.certificateOperationStatus}`,
        '',
      ].join('\n'),
    );
    const late = entry.operationCompletesBy && deadlineProblem({ device: entry.name, certificateOperation: entry.certificateOperation, operationCompletesBy: entry.operationCompletesBy }, now);
    if (late) io.err(`itl-lens capf device: warning [${late.code}]: ${late.message}\n`); // saved anyway: the lab reproduces this failure on purpose
    return EXIT_OK;
  },
};
