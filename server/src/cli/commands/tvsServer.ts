/** `itl-lens tvs-server --state DIR [--host H] [--port N]`: runs the lab TVS (TLS) from a lab folder until SIGINT/SIGTERM. */
import * as path from 'node:path';
import { DEFAULT_PER_ADDRESS_LIMIT } from '../../core/net/perAddressLimit';
import { loadOrCreateTvsIdentity, tvsPaths } from '../../lab/tvs/tvsIdentity';
import { TVS_PORT } from '../../lab/tvs/tvsProtocol';
import { DEFAULT_TVS_IDLE_MS, TvsServer } from '../../lab/tvs/tvsServer';
import { loadTvsStore } from '../../lab/tvs/tvsStore';
import { CliCommand, CliIo, ParsedArgs, UsageError, parseArgs, single } from '../io';
import { formatServerLog, serveUntilStopped, untilSignal } from '../serverLifetime';
import { parsePort } from './capfServer';
import { positiveInt } from './tftpServer';

const USAGE = `Usage: itl-lens tvs-server --state DIR [--host H] [--port N] [--idle-timeout SECONDS] [--per-address N]
  Serves the Trust Verification Service over TLS from the lab folder DIR: phones ask it whether a
  certificate their ITL does not hold is trusted, and it answers from DIR/tvs/tvs-store.json (edit it
  with 'itl-lens tvs add|remove'; a running server reads the change at the next request). Its own TLS
  certificate, DIR/tvs/tvs.pem and tvs.key.pem, is made on first use; phones trust it through the TVS
  record of their ITL. Default address 127.0.0.1:${TVS_PORT}; --port 0 picks a free port.
  --idle-timeout S   close a connection silent for S seconds (default ${DEFAULT_TVS_IDLE_MS / 1000})
  --per-address N    connections one client address may hold open (default ${DEFAULT_PER_ADDRESS_LIMIT})
  Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.`;

/** Runs the server until `stop` aborts. Exported so that tests need no process signals. */
export async function serveTvs(p: ParsedArgs, io: CliIo, stop: AbortSignal): Promise<number> {
  const stateArg = single(p, '--state');
  if (!stateArg) throw new UsageError('--state DIR is required (the lab folder, e.g. .itl-lens-lab)');
  const host = single(p, '--host') ?? '127.0.0.1';
  const port = parsePort(single(p, '--port'), TVS_PORT);
  const idle = single(p, '--idle-timeout');
  if (idle !== undefined && !(Number(idle) > 0)) throw new UsageError(`--idle-timeout: '${idle}' is not a positive number of seconds`);
  const dir = path.resolve(io.cwd, stateArg);
  const paths = tvsPaths(dir);
  const identity = await loadOrCreateTvsIdentity(dir);
  const server = await TvsServer.start({ identity, storeFile: paths.store, host, port, idleTimeoutMs: idle ? Number(idle) * 1000 : undefined, perAddressLimit: positiveInt(p, '--per-address') });
  const unsubscribe = server.onLog((e) => io.out(formatServerLog(e)));
  const count = await loadTvsStore(paths.store).then((s) => s.entries.size, () => 0);
  const a = server.address;
  return serveUntilStopped(io, stop, {
    name: 'TVS',
    host,
    banner: [
      `TVS server listening on ${a.host}:${a.port}`,
      `  lab folder:      ${dir}`,
      `  TVS certificate: ${identity.cert.subject.rfc4514} (SHA-1 ${identity.cert.sha1.toString('hex').toUpperCase()}) in ${paths.cert}`,
      `  TVS store:       ${paths.store} (${count} certificate(s); add with 'itl-lens tvs add --state ${stateArg} --role TFTP CERT.pem')`,
      `  phones trust this TVS through the TVS record of their ITL`,
    ],
    exposes: 'other machines can reach this lab TVS',
    stop: () => server.stop(),
    unsubscribe,
  });
}

export const tvsServerCommand: CliCommand = {
  name: 'tvs-server',
  summary: `run the lab TVS server (TLS, default 127.0.0.1:${TVS_PORT}) from a lab folder`,
  usage: USAGE,
  run(args, io) {
    const p = parseArgs(args, { values: ['--state', '--host', '--port', '--idle-timeout', '--per-address'] });
    return untilSignal((stop) => serveTvs(p, io, stop));
  },
};
