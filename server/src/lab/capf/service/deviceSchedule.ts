/**
 * Scheduling a certificate operation from short options (the CLI's `capf device`, editor commands):
 * operation install|delete|fetch|none, auth null|string:DIGITS|lsc|mic, key rsa:SIZE|ec:CURVE|ec-preferred:CURVE.
 * Every parse error is a sentence saying what is accepted.
 */
import { AuthenticationMode, CertificateOperation, DeviceEntry, EC_KEY_SIZES, EcKeySize, RSA_KEY_SIZES, RsaKeySize, authStringProblem, deviceNameProblem } from '../../model/deviceTable';
import { updateDeviceEntry } from './deviceTableFile';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const OPERATIONS: Record<string, CertificateOperation> = {
  install: 'Install/Upgrade',
  delete: 'Delete',
  fetch: 'Troubleshoot',
  troubleshoot: 'Troubleshoot',
  none: 'No Pending Operation',
};

export function parseOperation(s: string): Parsed<CertificateOperation> {
  const op = OPERATIONS[s.toLowerCase()];
  return op ? { ok: true, value: op } : { ok: false, message: `operation "${s}" is not install, delete, fetch or none` };
}

export function parseAuth(s: string): Parsed<{ mode: AuthenticationMode; authenticationString?: string }> {
  const lower = s.toLowerCase();
  if (lower === 'null') return { ok: true, value: { mode: 'By Null String' } };
  if (lower === 'lsc') return { ok: true, value: { mode: 'By Existing Certificate (precedence to LSC)' } };
  if (lower === 'mic') return { ok: true, value: { mode: 'By Existing Certificate (precedence to MIC)' } };
  if (lower.startsWith('string:')) {
    const digits = s.slice('string:'.length);
    const p = authStringProblem(digits);
    return p ? { ok: false, message: p } : { ok: true, value: { mode: 'By Authentication String', authenticationString: digits } };
  }
  return { ok: false, message: `authentication "${s}" is not null, string:DIGITS, lsc or mic` };
}

const CURVE_BITS: Record<string, EcKeySize> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, '256': 256, '384': 384, '521': 521, SECP256R1: 256, SECP384R1: 384, SECP521R1: 521 };

export function parseKey(s: string): Parsed<Pick<DeviceEntry, 'keyOrder'> & Partial<Pick<DeviceEntry, 'rsaKeySize' | 'ecKeySize'>>> {
  const [kind, size] = s.split(':');
  const bad = { ok: false as const, message: `key "${s}" is not rsa:SIZE (${RSA_KEY_SIZES.join('/')}), ec:CURVE (P-256/P-384/P-521) or ec-preferred:CURVE` };
  if (size === undefined) return bad;
  if (kind.toLowerCase() === 'rsa') {
    const bits = Number(size);
    return RSA_KEY_SIZES.includes(bits as RsaKeySize) ? { ok: true, value: { keyOrder: 'RSA Only', rsaKeySize: bits as RsaKeySize } } : bad;
  }
  const bits = CURVE_BITS[size.toUpperCase()];
  if (!bits || !EC_KEY_SIZES.includes(bits)) return bad;
  if (kind.toLowerCase() === 'ec') return { ok: true, value: { keyOrder: 'EC Only', ecKeySize: bits } };
  if (kind.toLowerCase() === 'ec-preferred') return { ok: true, value: { keyOrder: 'EC Preferred, RSA Backup', ecKeySize: bits } };
  return bad;
}

export function parseDeadline(s: string): Parsed<string> {
  const t = Date.parse(s);
  if (Number.isNaN(t) || !/T\d{2}:\d{2}/.test(s)) return { ok: false, message: `deadline "${s}" is not an ISO-8601 date and time, e.g. 2030-01-31T17:00:00Z` };
  return { ok: true, value: new Date(t).toISOString() };
}

/** Upper-cases a device name and checks it. */
export function normalizeDeviceName(s: string): Parsed<string> {
  const name = s.trim().toUpperCase();
  const p = deviceNameProblem(name);
  return p ? { ok: false, message: p } : { ok: true, value: name };
}

export interface ScheduleRequest {
  device: string;
  operation: CertificateOperation;
  auth?: { mode: AuthenticationMode; authenticationString?: string };
  key?: Pick<DeviceEntry, 'keyOrder'> & Partial<Pick<DeviceEntry, 'rsaKeySize' | 'ecKeySize'>>;
  /** ISO; undefined clears any earlier deadline */
  deadline?: string;
}

/**
 * Adds or updates the device entry in the table `file`, as saving the Phone Configuration page would. The
 * operation is stamped with the time it was scheduled, so the server runs it even if the same operation
 * was completed before; one without a deadline has none (an old deadline would make it fail at once).
 */
export function scheduleOperation(file: string, r: ScheduleRequest, now: Date): Promise<DeviceEntry> {
  return updateDeviceEntry(file, r.device, (entry) => {
    entry.certificateOperation = r.operation;
    if (r.auth) {
      entry.authenticationMode = r.auth.mode;
      if (r.auth.authenticationString !== undefined) entry.authenticationString = r.auth.authenticationString;
      else delete entry.authenticationString;
    }
    if (r.key) Object.assign(entry, r.key);
    if (r.deadline) entry.operationCompletesBy = r.deadline;
    else delete entry.operationCompletesBy;
    stampSchedule(entry, now);
  });
}

/**
 * Marks a saved operation as newly scheduled (operationScheduledAt: now, or a millisecond after the last
 * stamp when the clock has not moved), so the server runs it again even after completing the same one.
 */
export function stampSchedule(entry: DeviceEntry, now: Date): void {
  if (entry.certificateOperation === 'No Pending Operation') {
    delete entry.operationScheduledAt;
    return;
  }
  const last = entry.operationScheduledAt ? Date.parse(entry.operationScheduledAt) : Number.NaN;
  entry.operationScheduledAt = new Date(Number.isNaN(last) ? now.getTime() : Math.max(now.getTime(), last + 1)).toISOString();
}
