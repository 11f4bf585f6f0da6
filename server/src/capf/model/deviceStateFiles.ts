/**
 * Reading the CAPF server's state as other processes do (`itl-lens capf status`, the language server, the
 * reports). Every state file is replaced whole (temporary file, fsync, rename), so a reader never sees half
 * of one and needs no lock.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { DEVICE_NAME_PATTERN } from './deviceTable';
import { DeviceState, readDeviceState } from './deviceState';
import { LabPaths, deviceStatePath } from './labLayout';

/** One device's state, or undefined when the server never saw it (or the file is not one it wrote). */
export async function loadDeviceState(paths: LabPaths, device: string): Promise<DeviceState | undefined> {
  try {
    return readDeviceState(JSON.parse(await fsp.readFile(deviceStatePath(paths, device), 'utf8')), device);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** Every device's state in the lab folder, by device name. */
export function loadDeviceStatesSync(paths: LabPaths): Map<string, DeviceState> {
  const out = new Map<string, DeviceState>();
  let names: string[];
  try {
    names = fs.readdirSync(paths.stateDir);
  } catch {
    return out;
  }
  for (const file of names) {
    const device = file.endsWith('.json') ? file.slice(0, -'.json'.length) : '';
    if (!DEVICE_NAME_PATTERN.test(device)) continue; // temporary files and strangers
    try {
      const s = readDeviceState(JSON.parse(fs.readFileSync(path.join(paths.stateDir, file), 'utf8')), device);
      if (s) out.set(device, s);
    } catch {
      /* vanished or not ours: skipped */
    }
  }
  return out;
}
