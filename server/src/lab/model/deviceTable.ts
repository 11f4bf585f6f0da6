/**
 * The CAPF device table: one entry per phone, with CUCM's own field names and values (Phone Configuration →
 * CAPF Information). It says what to do; what the server did is its state (deviceState.ts). Parsing is
 * total: a hand-edited file with mistakes gives a list of problems with a JSON path each, never an
 * exception. `deviceTable.schema.json` describes the same shape for editors.
 */
import { escapeControls } from '../../core/text/controlChars';

export const CERTIFICATE_OPERATIONS = ['Install/Upgrade', 'Delete', 'Troubleshoot', 'No Pending Operation'] as const;
export const AUTHENTICATION_MODES = [
  'By Null String',
  'By Authentication String',
  'By Existing Certificate (precedence to LSC)',
  'By Existing Certificate (precedence to MIC)',
] as const;
export const KEY_ORDERS = ['RSA Only', 'EC Only', 'EC Preferred, RSA Backup'] as const;
export const RSA_KEY_SIZES = [512, 1024, 2048, 3072, 4096] as const;
export const EC_KEY_SIZES = [256, 384, 521] as const;

export type CertificateOperation = (typeof CERTIFICATE_OPERATIONS)[number];
export type AuthenticationMode = (typeof AUTHENTICATION_MODES)[number];
export type KeyOrder = (typeof KEY_ORDERS)[number];
export type RsaKeySize = (typeof RSA_KEY_SIZES)[number];
export type EcKeySize = (typeof EC_KEY_SIZES)[number];


export interface DeviceEntry {
  /** SEP + the phone's 12-hex-digit MAC, upper case */
  name: string;
  certificateOperation: CertificateOperation;
  authenticationMode: AuthenticationMode;
  /** 4–10 digits; only for "By Authentication String" */
  authenticationString?: string;
  keyOrder: KeyOrder;
  rsaKeySize: RsaKeySize;
  ecKeySize: EcKeySize;
  /** ISO-8601 deadline ("Operation Completes By"); none means no deadline */
  operationCompletesBy?: string;
  /** ISO-8601: when the operation was scheduled (`capf device` and the editor set it); saving it anew schedules the operation again */
  operationScheduledAt?: string;
}

export interface DeviceTable {
  devices: DeviceEntry[];
}

export interface TableProblem {
  /** JSON path, e.g. "devices[2].authenticationString" */
  path: string;
  message: string;
}

export type TableParse = { ok: true; table: DeviceTable } | { ok: false; problems: TableProblem[] };

export const DEVICE_NAME_PATTERN = /^SEP[0-9A-F]{12}$/;
export const AUTH_STRING_PATTERN = /^[0-9]{4,10}$/;

/** undefined when fine; otherwise a sentence saying what a device name must look like. */
export function deviceNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'a device name is required: SEP followed by the 12 hex digits of the phone\'s MAC address, e.g. SEP001122334455';
  if (DEVICE_NAME_PATTERN.test(name)) return undefined;
  if (/^SEP[0-9a-fA-F]{12}$/i.test(name)) return `"${name}" must be upper case: ${name.toUpperCase()}`;
  return `"${printable(name)}" is not a phone device name: expected SEP followed by exactly 12 hex digits (the MAC address), e.g. SEP001122334455`;
}

export function authStringProblem(s: unknown): string | undefined {
  if (typeof s !== 'string' || !AUTH_STRING_PATTERN.test(s)) return 'the authentication string must be 4 to 10 digits (CUCM\'s rule), e.g. 123456';
  return undefined;
}

export function newDeviceEntry(name: string, fields: Partial<DeviceEntry> = {}): DeviceEntry {
  return {
    name,
    certificateOperation: 'No Pending Operation',
    authenticationMode: 'By Null String',
    keyOrder: 'RSA Only',
    rsaKeySize: 2048,
    ecKeySize: 256,
    ...fields,
  };
}

const ENTRY_FIELDS = new Set([
  'name',
  'certificateOperation',
  'authenticationMode',
  'authenticationString',
  'keyOrder',
  'rsaKeySize',
  'ecKeySize',
  'operationCompletesBy',
  'operationScheduledAt',
]);
/** Fields the server wrote into the table before it kept its own state: accepted in old tables and ignored. */
export const LEGACY_SERVER_FIELDS = new Set(['certificateOperationStatus', 'lsc']);
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** An Operation Completes By as the table accepts it (ISO-8601 date and time with a zone), in ms; else undefined. */
export function deadlineTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || !ISO_DATE_TIME.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function printable(s: string): string {
  return escapeControls(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

function oneOf<T>(values: readonly T[], v: unknown): v is T {
  return values.includes(v as T);
}

function quoteList(values: readonly (string | number)[]): string {
  return values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ');
}

export function validateDeviceEntry(raw: unknown, path: string, problems: TableProblem[]): DeviceEntry | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ path, message: 'each device must be an object with at least "name" and "certificateOperation"' });
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const before = problems.length;
  const add = (field: string, message: string) => problems.push({ path: `${path}.${field}`, message });
  for (const key of Object.keys(r)) if (!ENTRY_FIELDS.has(key) && !LEGACY_SERVER_FIELDS.has(key)) add(key, `unknown field "${printable(key)}"; the fields are ${quoteList([...ENTRY_FIELDS])}`);
  const nameProblem = deviceNameProblem(r.name);
  if (nameProblem) add('name', nameProblem);
  if (!oneOf(CERTIFICATE_OPERATIONS, r.certificateOperation)) add('certificateOperation', `must be one of ${quoteList(CERTIFICATE_OPERATIONS)}`);
  const mode = r.authenticationMode ?? 'By Null String';
  if (!oneOf(AUTHENTICATION_MODES, mode)) add('authenticationMode', `must be one of ${quoteList(AUTHENTICATION_MODES)}`);
  if (mode === 'By Authentication String' || r.authenticationString !== undefined) {
    const p = authStringProblem(r.authenticationString);
    if (p) add('authenticationString', mode === 'By Authentication String' && r.authenticationString === undefined ? '"By Authentication String" needs an authenticationString of 4 to 10 digits' : p);
  }
  const keyOrder = r.keyOrder ?? 'RSA Only';
  if (!oneOf(KEY_ORDERS, keyOrder)) add('keyOrder', `must be one of ${quoteList(KEY_ORDERS)}`);
  const rsa = r.rsaKeySize ?? 2048;
  if (!oneOf(RSA_KEY_SIZES, rsa)) add('rsaKeySize', `must be one of ${quoteList(RSA_KEY_SIZES)} (bits)`);
  const ec = r.ecKeySize ?? 256;
  if (!oneOf(EC_KEY_SIZES, ec)) add('ecKeySize', `must be one of ${quoteList(EC_KEY_SIZES)} (bits: P-256, P-384, P-521)`);
  for (const field of ['operationCompletesBy', 'operationScheduledAt'] as const) {
    if (r[field] !== undefined && deadlineTime(r[field]) === undefined) add(field, 'must be an ISO-8601 date and time with a zone, e.g. 2030-01-31T17:00:00Z');
  }
  if (problems.length > before) return undefined;
  const entry: DeviceEntry = newDeviceEntry(r.name as string, {
    certificateOperation: r.certificateOperation as CertificateOperation,
    authenticationMode: mode as AuthenticationMode,
    keyOrder: keyOrder as KeyOrder,
    rsaKeySize: rsa as RsaKeySize,
    ecKeySize: ec as EcKeySize,
  });
  if (r.authenticationString !== undefined) entry.authenticationString = r.authenticationString as string;
  if (r.operationCompletesBy !== undefined) entry.operationCompletesBy = r.operationCompletesBy as string;
  if (r.operationScheduledAt !== undefined) entry.operationScheduledAt = r.operationScheduledAt as string;
  return entry;
}

/** Validates a parsed JSON value. Duplicate names are problems too. */
export function validateDeviceTable(raw: unknown): TableParse {
  const problems: TableProblem[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: '$', message: 'the device table must be an object: { "devices": [ … ] }' }] };
  }
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) if (key !== 'devices' && key !== '$schema') problems.push({ path: key, message: `unknown field "${printable(key)}"; the table has only "devices" (and "$schema")` });
  if (!Array.isArray(r.devices)) {
    problems.push({ path: 'devices', message: '"devices" must be an array of device entries' });
    return { ok: false, problems };
  }
  const seen = new Map<string, number>();
  const devices: DeviceEntry[] = [];
  r.devices.forEach((d, i) => {
    const entry = validateDeviceEntry(d, `devices[${i}]`, problems);
    if (!entry) return;
    const first = seen.get(entry.name);
    if (first !== undefined) problems.push({ path: `devices[${i}].name`, message: `${entry.name} is already listed at devices[${first}]` });
    else seen.set(entry.name, i);
    devices.push(entry);
  });
  return problems.length ? { ok: false, problems } : { ok: true, table: { devices } };
}

/** Parses the file's text; JSON syntax errors become a problem at "$". */
export function parseDeviceTable(text: string): TableParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ path: '$', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  return validateDeviceTable(raw);
}

/** One entry as written in the file: fields in the order of CUCM's page, indented for the devices array. */
export function serializeEntry(d: DeviceEntry): string {
  const out: Record<string, unknown> = {};
  for (const field of ENTRY_FIELDS) if (d[field as keyof DeviceEntry] !== undefined) out[field] = d[field as keyof DeviceEntry];
  // JSON.stringify escapes line breaks inside strings, so each one in its output starts a line to indent
  return `    ${JSON.stringify(out, null, 2).split('\n').join('\n    ')}`;
}

/** The file's text: the same as JSON.stringify({ devices }, null, 2) with fields in page order. */
export function serializeDeviceTable(table: DeviceTable): string {
  if (table.devices.length === 0) return '{\n  "devices": []\n}\n';
  return `{\n  "devices": [\n${table.devices.map(serializeEntry).join(',\n')}\n  ]\n}\n`;
}

export function formatProblems(problems: TableProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}
