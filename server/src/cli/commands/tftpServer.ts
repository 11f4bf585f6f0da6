/** `itl-lens tftp-server --root DIR [--host H] [--port N]`: serves a folder read-only over TFTP until SIGINT/SIGTERM. */
import * as path from 'node:path';
import { DEFAULT_PER_ADDRESS_LIMIT } from '../../core/net/perAddressLimit';
import { DEFAULT_MAX_RETRIES, DEFAULT_MAX_TRANSFERS, DEFAULT_RETRANSMIT_MS, DEFAULT_TFTP_PORT, TftpServer } from '../../lab/tftp/tftpServer';
import { CliCommand, CliIo, ParsedArgs, UsageError, parseArgs, single } from '../io';
import { formatServerLog, serveUntilStopped, untilSignal } from '../serverLifetime';
import { parsePort } from './capfServer';

const USAGE = `Usage: itl-lens tftp-server --root DIR [--host H] [--port N] [--per-address N] [--max-transfers N]
                            [--retransmit SECONDS] [--retries N]
  Serves the files under DIR over TFTP (RFC 1350, options blksize/tsize/timeout), read-only: write
  requests, names that leave DIR and missing files are answered with a TFTP error. Files are read when
  requested, so a file rewritten between boots is served new. Default address 127.0.0.1:${DEFAULT_TFTP_PORT} (port 69
  needs root); --port 0 picks a free port.
  --per-address N     concurrent transfers one client address may hold (default ${DEFAULT_PER_ADDRESS_LIMIT})
  --max-transfers N   concurrent transfers in all (default ${DEFAULT_MAX_TRANSFERS})
  --retransmit S      seconds to wait for an ACK before resending (default ${DEFAULT_RETRANSMIT_MS / 1000}; a client's timeout option wins)
  --retries N         resends in a row before a transfer gives up (default ${DEFAULT_MAX_RETRIES})
  Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.`;

/** A whole number from `min` up, or undefined when the option is absent. */
export function positiveInt(p: ParsedArgs, name: string, min = 1): number | undefined {
  const s = single(p, name);
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) < min || !Number.isSafeInteger(Number(s))) throw new UsageError(`${name}: '${s}' is not a whole number of at least ${min}`);
  return Number(s);
}

/** Runs the server until `stop` aborts. Exported so that tests need no process signals. */
export async function serveTftp(p: ParsedArgs, io: CliIo, stop: AbortSignal): Promise<number> {
  const root = single(p, '--root');
  if (!root) throw new UsageError('--root DIR is required (the folder whose files phones may fetch, e.g. .itl-lens-lab/tftp)');
  const host = single(p, '--host') ?? '127.0.0.1';
  const port = parsePort(single(p, '--port'), DEFAULT_TFTP_PORT);
  const retransmit = single(p, '--retransmit');
  if (retransmit !== undefined && !(Number(retransmit) > 0 && Number(retransmit) <= 255)) throw new UsageError(`--retransmit: '${retransmit}' is not a number of seconds from above 0 to 255`);
  const server = await TftpServer.start({
    root: path.resolve(io.cwd, root),
    host,
    port,
    perAddressLimit: positiveInt(p, '--per-address'),
    maxTransfers: positiveInt(p, '--max-transfers'),
    maxRetries: positiveInt(p, '--retries', 0),
    retransmitMs: retransmit !== undefined ? Number(retransmit) * 1000 : undefined,
  });
  const unsubscribe = server.onLog((e) => io.out(formatServerLog(e, 16)));
  const a = server.address;
  return serveUntilStopped(io, stop, {
    name: 'TFTP',
    host,
    banner: [`TFTP server listening on ${a.host}:${a.port} (UDP), read-only`, `  serving: ${server.rootReal}`, `  try:     tftp -m binary ${a.host} ${a.port} -c get ITLFile.tlv`],
    exposes: `other machines can fetch every file under ${server.rootReal}`,
    stop: () => server.stop(),
    unsubscribe,
  });
}

export const tftpServerCommand: CliCommand = {
  name: 'tftp-server',
  summary: `serve a folder read-only over TFTP (UDP, default 127.0.0.1:${DEFAULT_TFTP_PORT}) for lab phones`,
  usage: USAGE,
  run(args, io) {
    const p = parseArgs(args, { values: ['--root', '--host', '--port', '--per-address', '--max-transfers', '--retransmit', '--retries'] });
    return untilSignal((stop) => serveTftp(p, io, stop));
  },
};
