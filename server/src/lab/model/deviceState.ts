/**
 * What the CAPF server learns about a device, kept apart from what a person asks for (the device table),
 * as CUCM keeps the read-only "Certificate Operation Status" apart from the fields an administrator edits.
 * Only the server writes it (capf-state.jsonl, stateLog.ts); the CLI, the language server and the reports
 * read it (deviceStateFiles.ts) and derive the status shown beside the table's entry here.
 */
import { DeviceEntry } from './deviceTable';
import { IssuedLscSummary } from './issuedLsc';
import { STATUS_NONE, STATUS_PENDING, operationKindOf } from './operationStatus';

/** The register keeps each device's last LSCs (the one the phone holds is always among them). */
export const MAX_REGISTERED_LSCS = 8;

/** One LSC the server issued, registered before the phone received it. */
export interface RegisteredLsc {
  serialNumber: string;
  issuedAt: string;
  pem: string;
}

export interface DeviceState {
  device: string;
  /** CUCM's Certificate Operation Status after the server's last step for this device */
  certificateOperationStatus: string;
  /** the scheduled operation (operationKey) that status applies to */
  operationKey?: string;
  /** the scheduled operation the server completed: it is not run again until the table schedules another */
  completedKey?: string;
  /** the LSC the phone holds, as far as the server knows */
  lsc?: IssuedLscSummary;
  /** newest last, at most MAX_REGISTERED_LSCS */
  lscs: RegisteredLsc[];
  /** wrong authentication strings in a row, and the lock they caused */
  authFailures?: { count: number; lockedUntil?: string };
  updatedAt: string;
}

export function newDeviceState(device: string, now: Date): DeviceState {
  return { device, certificateOperationStatus: STATUS_NONE, lscs: [], updatedAt: now.toISOString() };
}

/**
 * Which scheduled operation an entry asks for: the operation, its Operation Completes By and when it was
 * scheduled (`operationScheduledAt`, which `capf device` and the editor set). Saving the same operation
 * again with a new deadline or schedule time is a new operation; undefined for "No Pending Operation".
 */
/** The fields of a table entry that say which operation is scheduled. */
export type ScheduledOperation = Pick<DeviceEntry, 'certificateOperation' | 'operationCompletesBy' | 'operationScheduledAt'>;

export function operationKey(entry: ScheduledOperation): string | undefined {
  if (!operationKindOf(entry.certificateOperation)) return undefined;
  return [entry.certificateOperation, entry.operationCompletesBy ?? '', entry.operationScheduledAt ?? ''].join('|');
}

/** Whether the server still has to run the entry's operation (scheduled and not completed). */
export function operationDue(entry: ScheduledOperation, state: DeviceState | undefined): boolean {
  const key = operationKey(entry);
  return key !== undefined && state?.completedKey !== key;
}

/** The Certificate Operation Status CUCM would show for the entry, given the server's state. */
export function statusFor(entry: ScheduledOperation | undefined, state: DeviceState | undefined): string {
  const key = entry ? operationKey(entry) : undefined;
  if (key === undefined || state?.completedKey === key) return state?.certificateOperationStatus ?? STATUS_NONE;
  return state?.operationKey === key ? state.certificateOperationStatus : STATUS_PENDING;
}
