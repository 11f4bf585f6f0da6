/**
 * The CAPF server's state log (capf-state.jsonl) and how any process reads it. The server alone appends to
 * it, one JSON line per change: `{"lsc": …}` when it issues an LSC (before the phone receives it) and
 * `{"state": …}` with a device's whole state after each step. Reading folds the lines in order; the last
 * line of a server that crashed mid-append is cut short, was never acknowledged, and is skipped, like any
 * line that is not one the server wrote.
 */
import * as fs from 'node:fs';
import { DEVICE_NAME_PATTERN } from './deviceTable';
import { DeviceState, MAX_REGISTERED_LSCS, RegisteredLsc } from './deviceState';
import { STATUS_NONE } from './operationStatus';
import { LabPaths } from './labLayout';

export type StateRecord = { lsc: RegisteredLsc & { device: string } } | { state: Omit<DeviceState, 'lscs'> };

/** The line a record is written as. */
export function stateLine(r: StateRecord): string {
  return `${JSON.stringify(r)}\n`;
}

/** Every device's state, from the log's text. */
export function foldStateLog(text: string): Map<string, DeviceState> {
  const out = new Map<string, DeviceState>();
  const entry = (device: string) => {
    let s = out.get(device);
    // LSCs before the device's first state record (updatedAt '' until then: compactStateLog writes no state for it)
    if (!s) out.set(device, (s = { device, certificateOperationStatus: STATUS_NONE, lscs: [], updatedAt: '' }));
    return s;
  };
  for (const line of text.split('\n')) {
    let r: Partial<Record<'lsc' | 'state', Record<string, unknown>>>;
    try {
      r = JSON.parse(line);
    } catch {
      continue; // a line cut short by a crash, or not ours
    }
    if (typeof r !== 'object' || r === null) continue;
    const lsc = r.lsc;
    const state = r.state;
    if (lsc && typeof lsc.device === 'string' && DEVICE_NAME_PATTERN.test(lsc.device) && typeof lsc.serialNumber === 'string' && typeof lsc.pem === 'string') {
      const s = entry(lsc.device);
      s.lscs.push({ serialNumber: lsc.serialNumber, issuedAt: String(lsc.issuedAt), pem: lsc.pem });
      if (s.lscs.length > MAX_REGISTERED_LSCS) s.lscs.shift();
    } else if (state && typeof state.device === 'string' && DEVICE_NAME_PATTERN.test(state.device) && typeof state.certificateOperationStatus === 'string') {
      const s = entry(state.device);
      out.set(state.device, { ...(state as unknown as Omit<DeviceState, 'lscs'>), lscs: s.lscs });
    }
  }
  return out;
}

/** The lines that say the same as the whole log: each device's registered LSCs and its last state. */
export function compactStateLog(states: Map<string, DeviceState>): string {
  let text = '';
  for (const { lscs, ...state } of states.values()) {
    for (const l of lscs) text += stateLine({ lsc: { device: state.device, ...l } });
    if (state.updatedAt) text += stateLine({ state });
  }
  return text;
}

/** Every device's state in the lab folder, by device name (none when the server never ran there). */
export function loadDeviceStatesSync(paths: LabPaths): Map<string, DeviceState> {
  try {
    return foldStateLog(fs.readFileSync(paths.stateLog, 'utf8'));
  } catch {
    return new Map();
  }
}
