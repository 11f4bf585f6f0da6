/** `itl-lens capf-server --state DIR [--host H] [--port N]`: runs the lab CAPF server until SIGINT/SIGTERM. */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { CapfServer } from '../../lab/capf/service/capfServer';
import { LabState } from '../../lab/capf/service/labState';
import { OperationLogEntry } from '../../lab/capf/service/operationLog';
import { CAPF_PORT } from '../../lab/capf/protocol/constants';
import { LabBusyError } from '../../lab/capf/service/labLock';
import { DEFAULT_PER_ADDRESS_LIMIT } from '../../core/net/perAddressLimit';
import { isLegacyTls, parseTlsMin, tlsMinProblem } from '../../lab/capf/service/tlsMin';
import { CliCommand, CliIo, EXIT_PROBLEMS, ParsedArgs, UsageError, parseArgs, single } from '../io';
import { serveUntilStopped, untilSignal } from '../serverLifetime';

const USAGE = `Usage: itl-lens capf-server --state DIR [--host H] [--port N] [--idle-timeout SECONDS] [--lsc-days N]
                            [--per-address-limit N] [--tls-min 1.0|1.1|1.2] [--capf-cert FILE --capf-key FILE]
  Serves the CAPF protocol over TLS from the lab folder DIR (created on first use: CAPF certificate,
  lab manufacturing CA, capf-devices.json). Default address 127.0.0.1:${CAPF_PORT}; --port 0 picks a free port.
  --per-address-limit N   connections one address may hold at once, handshakes included (default
                          ${DEFAULT_PER_ADDRESS_LIMIT}); raise it when many phones reach the lab through one NAT address
  --tls-min 1.0|1.1|1.2   the lowest TLS version accepted (default 1.2). 7900-series phones need 1.0; below
                          1.2 OpenSSL's security level is lowered to 0 for every connection (weak
                          ciphers and keys allowed): only in an isolated lab
  --capf-cert/--capf-key  use your own CAPF certificate and key (PEM) instead of the generated one
  Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.`;

export function parsePort(s: string | undefined, fallback: number): number {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535) throw new UsageError(`--port: '${s}' is not a port number (0-65535)`);
  return n;
}

function formatLog(e: OperationLogEntry): string {
  const device = e.device && !e.message.includes(e.device) ? `${e.device}: ` : '';
  const session = e.session !== undefined ? `#${e.session} ` : '';
  return `${e.time}  ${e.event.padEnd(18)} ${session}${device}${e.message}${e.status ? ` [${e.status}]` : ''}\n`;
}

/** The options `capf-server` takes. */
export const CAPF_SERVER_ARGS = { values: ['--state', '--host', '--port', '--idle-timeout', '--lsc-days', '--per-address-limit', '--tls-min', '--capf-cert', '--capf-key'] };

/** Runs the server until `stop` aborts. Exported so that tests need no process signals. */
export async function serveCapf(p: ParsedArgs, io: CliIo, stop: AbortSignal): Promise<number> {
  const stateArg = single(p, '--state');
  if (!stateArg) throw new UsageError('--state DIR is required (the lab folder, e.g. .itl-lens-lab)');
  const host = single(p, '--host') ?? '127.0.0.1';
  const port = parsePort(single(p, '--port'), CAPF_PORT);
  const idle = single(p, '--idle-timeout');
  const days = single(p, '--lsc-days');
  if (idle !== undefined && !(Number(idle) > 0)) throw new UsageError(`--idle-timeout: '${idle}' is not a positive number of seconds`);
  if (days !== undefined && !/^\d+$/.test(days)) throw new UsageError(`--lsc-days: '${days}' is not a whole number of days (1-3560)`);
  const perAddress = single(p, '--per-address-limit');
  if (perAddress !== undefined && !(/^\d+$/.test(perAddress) && Number(perAddress) >= 1)) throw new UsageError(`--per-address-limit: '${perAddress}' is not a whole number of connections (1 or more)`);
  const tlsMinArg = single(p, '--tls-min');
  const minTlsVersion = parseTlsMin(tlsMinArg);
  if (tlsMinArg !== undefined && !minTlsVersion) throw new UsageError(`--tls-min: ${tlsMinProblem(tlsMinArg)}`);
  const certFile = single(p, '--capf-cert');
  const keyFile = single(p, '--capf-key');
  if (!!certFile !== !!keyFile) throw new UsageError('--capf-cert and --capf-key go together');

  const state = await LabState.open(path.resolve(io.cwd, stateArg));
  if (certFile && keyFile) {
    const { warnings } = await state.importCapf(fs.readFileSync(path.resolve(io.cwd, certFile)), fs.readFileSync(path.resolve(io.cwd, keyFile)));
    for (const w of warnings) io.err(`warning: ${w}\n`);
  }
  let server: CapfServer;
  try {
    server = await CapfServer.start({
      state,
      host,
      port,
      idleTimeoutMs: idle ? Number(idle) * 1000 : undefined,
      lscValidityDays: days ? Number(days) : undefined,
      perAddressLimit: perAddress ? Number(perAddress) : undefined,
      minTlsVersion,
    });
  } catch (e) {
    if (!(e instanceof LabBusyError)) throw e;
    io.err(`itl-lens capf-server: ${e.message}\n`);
    return EXIT_PROBLEMS;
  }
  if (minTlsVersion && isLegacyTls(minTlsVersion)) {
    io.err(`warning: --tls-min ${tlsMinArg}: TLS ${tlsMinArg} is deprecated (RFC 8996) and OpenSSL's security level is 0 for every connection to this server (weak ciphers and keys allowed); use it only in an isolated lab, for phones that speak nothing newer\n`);
  }
  const unsubscribe = server.onLog((e) => io.out(formatLog(e)));
  const a = server.address;
  return serveUntilStopped(io, stop, {
    name: 'CAPF',
    host,
    banner: [
      `CAPF server listening on ${a.host}:${a.port}`,
      `  lab folder:       ${state.dir}`,
      `  CAPF certificate: ${state.capf.cert.subject.rfc4514} (SHA-1 ${state.capf.cert.sha1.toString('hex').toUpperCase()})`,
      `  device table:     ${state.paths.devices}`,
      `  TLS:              ${tlsMinArg ?? '1.2'} and up${minTlsVersion && isLegacyTls(minTlsVersion) ? ', at OpenSSL security level 0' : ''}; at most ${server.perAddressLimit} connections from one address`,
      `  phones must trust this certificate through their ITL (the lab's own ITL: \`itl-lens lab\`)`,
    ],
    exposes: 'other machines can reach this lab CAPF',
    stop: () => server.stop(),
    unsubscribe,
  });
}

export const capfServerCommand: CliCommand = {
  name: 'capf-server',
  summary: 'run the lab CAPF server (TLS, default 127.0.0.1:3804) from a lab folder',
  usage: USAGE,
  async run(args, io) {
    const p = parseArgs(args, CAPF_SERVER_ARGS);
    return untilSignal((stop) => serveCapf(p, io, stop));
  },
};
