/** `itl-lens phone`: an emulated Cisco phone runs its pending CAPF operation against a CAPF server. */
import { statusFor } from '../../capf/model/deviceState';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureLabPhone, phoneAuthFor } from '../../capf/lab/labPhones';
import { PhoneResult, runPhone, TimelineEntry } from '../../capf/phone/phoneEmulator';
import { PhoneFolder, PhoneIdentity } from '../../capf/phone/phoneIdentity';
import { PhoneAuth } from '../../capf/phone/phoneSession';
import { authStringProblem } from '../../capf/model/deviceTable';
import { normalizeDeviceName } from '../../capf/server/deviceSchedule';
import { LabState } from '../../capf/server/labState';
import { CliCommand, EXIT_OK, EXIT_PROBLEMS, UsageError, parseArgs, single } from '../io';

const USAGE = `Usage: itl-lens phone --itl FILE --server HOST:PORT --device SEP<12 hex digits> [--auth-string DIGITS]
                      [--state DIR] [--auth null|string|lsc|mic] [--retries N] [--retry-delay SECONDS]
  Loads the ITL, verifies it, trusts the CAPF server only if its certificate matches the ITL's CAPF record,
  then authenticates and does what the server asks (install, fetch, delete). Prints the phone's status messages.
  --state DIR   a lab folder: the phone keeps its MIC and LSC in DIR/phones/<device>/, learns its
                authentication mode from DIR/capf-devices.json (as from its config file) and reports the
                server's Certificate Operation Status afterwards
  --auth        override the authentication mode (default: from --state, else null, or string with --auth-string)
  --retries     connection retries after the first attempt (default 3); --retry-delay seconds between (default 30)
  Exit code 0 when the operation succeeded, 1 when it failed (the phone's status message goes to stderr).`;

function parseServer(s: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(s);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--server: '${s}' is not HOST:PORT, e.g. 127.0.0.1:3804`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

function nonNegative(s: string | undefined, option: string, fallback: number): number {
  if (s === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(s)) throw new UsageError(`${option}: '${s}' is not a non-negative number`);
  return Number(s);
}

export function formatTimeline(t: TimelineEntry[]): string {
  return t.map((e) => `${e.at.slice(11, 23)}  ${e.kind === 'status' ? e.text : `  · ${e.text}`}\n`).join('');
}

export const phoneCommand: CliCommand = {
  name: 'phone',
  summary: 'emulate a Cisco phone doing its CAPF operation (LSC install, Troubleshoot, delete)',
  usage: USAGE,
  async run(args, io) {
    const p = parseArgs(args, { values: ['--itl', '--server', '--device', '--auth-string', '--state', '--auth', '--retries', '--retry-delay'] });
    const itlFile = single(p, '--itl');
    const serverArg = single(p, '--server');
    const deviceArg = single(p, '--device');
    if (!itlFile || !serverArg || !deviceArg) throw new UsageError('--itl, --server and --device are required');
    const device = normalizeDeviceName(deviceArg);
    if (!device.ok) throw new UsageError(`--device: ${device.message}`);
    const server = parseServer(serverArg);
    const authString = single(p, '--auth-string');
    if (authString !== undefined && authStringProblem(authString)) throw new UsageError(`--auth-string: ${authStringProblem(authString)}`);
    const retries = nonNegative(single(p, '--retries'), '--retries', 3);
    if (!Number.isInteger(retries)) throw new UsageError('--retries: a whole number is needed');
    const retryDelay = nonNegative(single(p, '--retry-delay'), '--retry-delay', 30);
    const itl = fs.readFileSync(path.resolve(io.cwd, itlFile));

    const stateDir = single(p, '--state');
    let identity: PhoneIdentity = { name: device.value };
    let folder: PhoneFolder | undefined;
    let state: LabState | undefined;
    let auth: PhoneAuth = phoneAuthFor(undefined, authString);
    if (stateDir) {
      state = await LabState.open(path.resolve(io.cwd, stateDir));
      const phone = await ensureLabPhone(state, device.value);
      identity = phone.identity;
      folder = phone.folder;
      auth = phoneAuthFor(await state.table.get(device.value).catch(() => undefined), authString);
    }
    const override = single(p, '--auth');
    if (override) {
      const modes: Record<string, PhoneAuth> = {
        null: { mode: 'null' },
        string: { mode: 'string', value: authString ?? '' },
        lsc: { mode: 'certificate', precedence: 'LSC' },
        mic: { mode: 'certificate', precedence: 'MIC' },
      };
      if (!modes[override]) throw new UsageError(`--auth: '${override}' is not null, string, lsc or mic`);
      auth = modes[override];
    }
    io.out(`Phone ${device.value} → CAPF ${server.host}:${server.port}\n`);
    const result: PhoneResult = await runPhone({
      identity,
      itl,
      server,
      auth,
      store: folder,
      retries,
      retryDelayMs: retryDelay * 1000,
      onTimeline: (e) => io.out(formatTimeline([e])),
      // what the (separate) server process recorded, read from its state files
      serverStatus: state ? async () => state && statusFor(await state.table.get(device.value), state.deviceState(device.value)) : undefined,
    });
    if (result.serverStatus) io.out(`Certificate Operation Status: ${result.serverStatus}\n`);
    if (result.lsc) io.out(`LSC: ${result.lsc.summary.subject}, serial ${result.lsc.summary.serialNumber}, ${result.lsc.summary.publicKey}, valid to ${result.lsc.summary.notAfter}\n`);
    if (result.ok) return EXIT_OK;
    io.err(`${result.status}${result.problem ? ` — ${result.problem}` : ''}\n`);
    return EXIT_PROBLEMS;
  },
};
