/**
 * One CAPF server per lab folder. The lock is proper-lockfile's (a lock folder created atomically with
 * mkdir and kept fresh by its owner): the lock of a server that crashed goes stale within STALE_MS and the
 * next server takes it, waiting at most that long. Beside it, capf-server.json says who holds it, so a
 * refused start names the live server.
 */
import { promises as fsp } from 'node:fs';
import * as lockfile from 'proper-lockfile';
import { writeFileAtomicAsync } from '../../../core/fs/atomicWriteAsync';
import { LabPaths } from '../../model/labLayout';

/** A lock not refreshed for this long is a crashed server's (proper-lockfile refreshes it every second). */
export const STALE_MS = 3000;

export interface ServerInfo {
  pid: number;
  address: string;
  startedAt: string;
}

export class LabBusyError extends Error {}

/** Takes the lab folder's lock or throws LabBusyError naming the server that holds it. */
export async function lockLab(paths: LabPaths, onLost: (why: string) => void): Promise<() => Promise<void>> {
  await fsp.mkdir(paths.dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(paths.dir, {
      lockfilePath: paths.lock,
      realpath: false,
      stale: STALE_MS,
      update: 1000,
      // a crashed server's lock goes stale within STALE_MS: wait that long for it, not longer
      retries: { retries: Math.ceil((STALE_MS * 1.5) / 250), minTimeout: 250, maxTimeout: 250, factor: 1 },
      onCompromised: (e) => onLost(`the lab folder's lock was lost (${e.message}); another server may now serve ${paths.dir}`),
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    const who = await readServerInfo(paths);
    const named = who ? `process ${who.pid}, listening on ${who.address} since ${who.startedAt}` : 'another process';
    throw new LabBusyError(`another CAPF server (${named}) serves the lab folder ${paths.dir}: stop it first, or give this one another --state folder`);
  }
  return async () => {
    await fsp.rm(paths.serverInfo, { force: true });
    await release().catch(() => undefined); // already released when compromised
  };
}

export function writeServerInfo(paths: LabPaths, info: ServerInfo): Promise<void> {
  return writeFileAtomicAsync(paths.serverInfo, `${JSON.stringify(info, null, 2)}\n`);
}

export async function readServerInfo(paths: LabPaths): Promise<ServerInfo | undefined> {
  try {
    return JSON.parse(await fsp.readFile(paths.serverInfo, 'utf8')) as ServerInfo;
  } catch {
    return undefined;
  }
}
