/**
 * Each device's Certificate Operation Status as a person reads it: the table's entry (what was asked) beside
 * the server's state (what it did). `itl-lens capf status` prints these rows and the editor shows one on the
 * table entry under the pointer (lsp/features/deviceTableHover.ts).
 */
import { DeviceState, ScheduledOperation, operationDue, statusFor } from './deviceState';
import { DeviceEntry } from './deviceTable';
import { operationKindOf } from './operationStatus';

export interface DeviceStatusRow {
  device: string;
  /** Certificate Operation Status, in CUCM's words */
  status: string;
  /** the Certificate Operation the status applies to */
  operation: string;
  /** the scheduled operation is done (the server will not run it again until it is scheduled anew) */
  completed: boolean;
  operationCompletesBy?: string;
  lscSerialNumber?: string;
  lscNotAfter?: string;
  inTable: boolean;
}

/** The row of one device: `entry` is its table entry (absent when the table no longer lists it). */
export function statusRow(device: string, state: DeviceState | undefined, entry?: ScheduledOperation): DeviceStatusRow {
  const scheduled = entry && operationKindOf(entry.certificateOperation);
  const applies = scheduled ? entry.certificateOperation : (state?.operationKey?.split('|')[0] ?? 'No Pending Operation');
  return {
    device,
    status: statusFor(entry, state),
    operation: applies,
    completed: scheduled ? !operationDue(entry, state) : !!state?.completedKey,
    operationCompletesBy: entry?.operationCompletesBy,
    lscSerialNumber: state?.lsc?.serialNumber,
    lscNotAfter: state?.lsc?.notAfter,
    inTable: !!entry,
  };
}

/** One row per device of the table, then any device the server knows that the table no longer lists. */
export function statusRows(devices: DeviceEntry[], states: Map<string, DeviceState>): DeviceStatusRow[] {
  const rows = devices.map((d) => statusRow(d.name, states.get(d.name), d));
  const listed = new Set(devices.map((d) => d.name));
  for (const [name, s] of states) if (!listed.has(name)) rows.push(statusRow(name, s));
  return rows;
}
