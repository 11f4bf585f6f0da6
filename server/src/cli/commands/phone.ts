/** `itl-lens phone`: an emulated Cisco phone runs its pending CAPF operation against a CAPF server. */
import { statusFor } from '../../lab/model/deviceState';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureLabPhone, phoneAuthFor } from '../../lab/environment/labPhones';
import { PhoneResult, runPhone, TimelineEntry } from '../../lab/phone/phoneEmulator';
import { PhoneFolder, PhoneIdentity } from '../../lab/phone/phoneIdentity';
import { PhoneAuth } from '../../lab/phone/phoneSession';
import { authStringProblem } from '../../lab/model/deviceTable';
import { normalizeDeviceName } from '../../lab/capf/service/deviceSchedule';
import { LabState } from '../../lab/capf/service/labState';
import { bootAndEnroll } from '../../lab/phone/boot/bootAndEnroll';
import { FolderTrustStore, MemoryTrustStore, TrustStore } from '../../lab/phone/boot/trustStore';
import { CliCommand, EXIT_OK, EXIT_PROBLEMS, UsageError, parseArgs, single } from '../io';

const USAGE = `Usage: itl-lens phone --itl FILE --server HOST:PORT --device SEP<12 hex digits> [--auth-string DIGITS]
                      [--state DIR] [--auth null|string|lsc|mic] [--retries N] [--retry-delay SECONDS]
       itl-lens phone --tftp HOST:PORT --device SEP<12 hex digits> [--state DIR] [--delete-itl]
                      [--tvs HOST:PORT] [--auth-string DIGITS] [--retries N] [--retry-delay SECONDS]
  With --itl: loads the ITL, verifies it, trusts the CAPF server only if its certificate matches the ITL's
  CAPF record, then authenticates and does what the server asks (install, fetch, delete).
  With --tftp: boots like a phone — downloads CTLSEP<MAC>.tlv, CTLFile.tlv, ITLSEP<MAC>.tlv, ITLFile.tlv
  and SEP<MAC>.cnf.xml.sgn over TFTP, judges each against the trust store it kept from the last boot
  (DIR/phones/<device>/trust/; without --state nothing is kept), asks TVS about signers it does not
  know, and takes the CAPF server and authentication from the trusted configuration (capfList,
  capfAuthMode). Prints the phone's status messages.
  --tvs         the TVS the phone asks (default the TFTP host, port 2445)
  --delete-itl  delete the ITL on the phone before booting (Settings > Security > Trust List)
  --state DIR   a lab folder: the phone keeps its MIC and LSC in DIR/phones/<device>/, learns its
                authentication mode from DIR/capf-devices.json (as from its config file) and reports the
                server's Certificate Operation Status afterwards
  --auth        override the authentication mode (default: from --state, else null, or string with --auth-string)
  --retries     connection retries after the first attempt (default 3); --retry-delay seconds between (default 30)
  Exit code 0 when the operation succeeded, 1 when it failed (the phone's status message goes to stderr).`;

function parseServer(s: string, option = '--server'): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(s);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`${option}: '${s}' is not HOST:PORT, e.g. 127.0.0.1:${option === '--tftp' ? 6969 : option === '--tvs' ? 2445 : 3804}`);
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
    const p = parseArgs(args, { values: ['--itl', '--server', '--device', '--auth-string', '--state', '--auth', '--retries', '--retry-delay', '--tftp', '--tvs'], booleans: ['--delete-itl'] });
    const itlFile = single(p, '--itl');
    const serverArg = single(p, '--server');
    const deviceArg = single(p, '--device');
    const tftpArg = single(p, '--tftp');
    if (tftpArg && (itlFile || serverArg)) throw new UsageError('--tftp boots the phone: its ITL and CAPF server come from TFTP, so give neither --itl nor --server');
    if (!tftpArg && (!itlFile || !serverArg || !deviceArg)) throw new UsageError('--itl, --server and --device are required (or --tftp and --device)');
    if (!deviceArg) throw new UsageError('--device is required');
    const device = normalizeDeviceName(deviceArg);
    if (!device.ok) throw new UsageError(`--device: ${device.message}`);
    const authString = single(p, '--auth-string');
    if (authString !== undefined && authStringProblem(authString)) throw new UsageError(`--auth-string: ${authStringProblem(authString)}`);
    const retries = nonNegative(single(p, '--retries'), '--retries', 3);
    if (!Number.isInteger(retries)) throw new UsageError('--retries: a whole number is needed');
    const retryDelay = nonNegative(single(p, '--retry-delay'), '--retry-delay', 30);
    if (tftpArg) {
      const tvsArg = single(p, '--tvs');
      return bootCommand(io, { device: device.value, tftp: parseServer(tftpArg, '--tftp'), tvs: tvsArg ? parseServer(tvsArg, '--tvs') : undefined, stateDir: single(p, '--state'), deleteItl: p.flags.has('--delete-itl'), authString, retries, retryDelayMs: retryDelay * 1000 });
    }
    const server = parseServer(serverArg!);
    const itl = fs.readFileSync(path.resolve(io.cwd, itlFile!));

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

interface BootArgs {
  device: string;
  tftp: { host: string; port: number };
  tvs?: { host: string; port: number };
  stateDir?: string;
  deleteItl: boolean;
  authString?: string;
  retries: number;
  retryDelayMs: number;
}

/** `phone --tftp`: boot from TFTP (trust store in the lab folder), then the CAPF operation the configuration asks for. */
async function bootCommand(io: Parameters<CliCommand['run']>[1], a: BootArgs): Promise<number> {
  let identity: PhoneIdentity = { name: a.device };
  let folder: PhoneFolder | undefined;
  let state: LabState | undefined;
  let store: TrustStore = new MemoryTrustStore();
  if (a.stateDir) {
    state = await LabState.open(path.resolve(io.cwd, a.stateDir));
    const phone = await ensureLabPhone(state, a.device);
    identity = phone.identity;
    folder = phone.folder;
    store = new FolderTrustStore(state.phoneDir(a.device));
  }
  if (a.deleteItl) await store.clear();
  io.out(`Phone ${a.device} boots from TFTP ${a.tftp.host}:${a.tftp.port}${store.dir ? `, trust store ${store.dir}` : ' (no --state: it keeps nothing after this run)'}${a.deleteItl ? ', ITL deleted first' : ''}\n`);
  const run = await bootAndEnroll({
    device: a.device,
    tftp: a.tftp,
    tvs: a.tvs,
    store,
    identity,
    phoneStore: folder,
    authString: a.authString,
    retries: a.retries,
    retryDelayMs: a.retryDelayMs,
    onTimeline: (e) => io.out(formatTimeline([e])),
    serverStatus: state ? async () => state && statusFor(await state.table.get(a.device), state.deviceState(a.device)) : undefined,
  });
  const result = run.phone;
  if (result.serverStatus) io.out(`Certificate Operation Status: ${result.serverStatus}\n`);
  if (result.lsc) io.out(`LSC: ${result.lsc.summary.subject}, serial ${result.lsc.summary.serialNumber}, ${result.lsc.summary.publicKey}, valid to ${result.lsc.summary.notAfter}\n`);
  if (result.ok) return EXIT_OK;
  io.err(`${result.status}${result.problem ? ` — ${result.problem}` : ''}\n`);
  return EXIT_PROBLEMS;
}
