/**
 * Checks of the lab's CAPF device table (capf-devices.json) that its JSON schema cannot express because they
 * depend on the clock: an Operation Completes By that has passed, or that is less than an hour ahead. The
 * install guide's third Troubleshoot case is exactly this ("LSC: Failed", Certificate Operation Status
 * "Upgrade Failed: User Initiated Request Late/Timedout"); the editor shows it before a phone does.
 *
 * Works on the text as typed (jsonc-parser's tolerant tree, with offsets), so a half-edited file still gets
 * the checks of the entries that are whole; anything else about the file is the schema's job.
 */
import * as path from 'node:path';
import { Node as JsonNode, Segment, findNodeAtLocation, parseTree } from 'jsonc-parser';
import { deadlineTime, parseDeviceTable } from '../lab/model/deviceTable';
import { DEVICE_TABLE_FILE } from '../lab/model/labLayout';
import { failureStatus, operationKindOf } from '../lab/model/operationStatus';
import { RULE_CODES, RuleCode, RuleSeverity } from './codes';

/** The install guide: "enter a date and time that is at least one hour in to the future". */
export const DEADLINE_MARGIN_MS = 3_600_000;

export function isDeviceTablePath(p: string): boolean {
  return path.basename(p).toLowerCase() === DEVICE_TABLE_FILE;
}

/** A finding on the table's text: `offset`/`length` cover the value it is about (with its quotes), or nothing at 0. */
export interface DeviceTableDiagnostic {
  code: Extract<RuleCode, 'operation-deadline-passed' | 'operation-deadline-soon' | 'device-table-invalid'>;
  severity: RuleSeverity;
  message: string;
  offset: number;
  length: number;
  device: string;
}

/** A pending operation's readable Operation Completes By, where it sits in the text. */
export interface ScheduledDeadline {
  device: string;
  operation: string;
  deadline: number;
  text: string;
  node: JsonNode;
}

/**
 * Every entry with a pending operation and a readable Operation Completes By: read once per text, then judged
 * against the clock as often as needed (deadlineFindings, nextDeadlineChange).
 */
export function readDeadlines(text: string): ScheduledDeadline[] {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const devices = root && findNodeAtLocation(root, ['devices']);
  if (devices?.type !== 'array') return [];
  const out: ScheduledDeadline[] = [];
  for (const entry of devices.children ?? []) {
    if (entry.type !== 'object') continue;
    const name = findNodeAtLocation(entry, ['name'])?.value;
    const operation = findNodeAtLocation(entry, ['certificateOperation'])?.value;
    const node = findNodeAtLocation(entry, ['operationCompletesBy']);
    if (typeof name !== 'string' || typeof operation !== 'string' || !operationKindOf(operation)) continue;
    if (node?.type !== 'string' || typeof node.value !== 'string') continue;
    // one the table does not accept (no zone…) is the schema's to report, and the server refuses the table
    const deadline = deadlineTime(node.value);
    if (deadline === undefined) continue;
    out.push({ device: name, operation, deadline, text: node.value, node });
  }
  return out;
}

/** What a pending operation's Operation Completes By means at `now`; undefined when it is an hour or more ahead. */
export function deadlineProblem(
  e: { device: string; certificateOperation: string; operationCompletesBy: string },
  now: Date,
): Pick<DeviceTableDiagnostic, 'code' | 'severity' | 'message'> | undefined {
  const kind = operationKindOf(e.certificateOperation);
  const deadline = deadlineTime(e.operationCompletesBy);
  if (!kind || deadline === undefined) return undefined;
  const left = deadline - now.getTime();
  const late = `"${failureStatus(kind, 'User Initiated Request Late/Timedout')}"`;
  if (left < 0) {
    return {
      code: 'operation-deadline-passed',
      severity: RULE_CODES['operation-deadline-passed'],
      message: `${e.device}: Operation Completes By (${e.operationCompletesBy}) has passed. The phone's next CAPF session fails: "LSC: Failed", Certificate Operation Status ${late}. Enter a date and time at least one hour in the future (or remove the deadline), then retry the certificate operation.`,
    };
  }
  if (left < DEADLINE_MARGIN_MS) {
    return {
      code: 'operation-deadline-soon',
      severity: RULE_CODES['operation-deadline-soon'],
      message: `${e.device}: Operation Completes By (${e.operationCompletesBy}) is less than an hour ahead. A phone that has not finished by then fails with ${late}; the install guide asks for at least one hour ahead.`,
    };
  }
  return undefined;
}

/** The deadline findings of a device table's text at `now`. Never throws. */
export function deviceTableRules(text: string, now: Date): DeviceTableDiagnostic[] {
  return deadlineFindings(readDeadlines(text), now);
}

/** The findings of deadlines already read (readDeadlines) at `now`. */
export function deadlineFindings(deadlines: readonly ScheduledDeadline[], now: Date): DeviceTableDiagnostic[] {
  const out: DeviceTableDiagnostic[] = [];
  for (const d of deadlines) {
    const problem = deadlineProblem({ device: d.device, certificateOperation: d.operation, operationCompletesBy: d.text }, now);
    if (problem) out.push({ ...problem, offset: d.node.offset, length: d.node.length, device: d.device });
  }
  return out;
}

/**
 * The next instant after `now` at which deadlineFindings' result for these deadlines changes (a deadline comes
 * within the hour, or passes), so that an open table is checked again then; undefined when none will.
 */
export function nextDeadlineChange(deadlines: readonly ScheduledDeadline[], now: Date): Date | undefined {
  let next = Infinity;
  for (const d of deadlines) {
    for (const t of [d.deadline - DEADLINE_MARGIN_MS + 1, d.deadline + 1]) if (t > now.getTime() && t < next) next = t;
  }
  return Number.isFinite(next) ? new Date(next) : undefined;
}

/**
 * What the CAPF server would refuse in the table (deviceTable.ts's own validation: JSON, fields, values,
 * duplicate names), each on the value its JSON path names, or on the whole text. For `itl-lens check` and for
 * tables the editor does not have open; in an open one the table's JSON schema reports these as you type.
 */
export function deviceTableProblems(text: string): DeviceTableDiagnostic[] {
  const parsed = parseDeviceTable(text);
  if (parsed.ok) return [];
  const root = parseTree(text);
  return parsed.problems.map((p) => {
    // the value the path names or, for a field that is missing, the entry that lacks it
    const segments = p.path === '$' ? [] : jsonPath(p.path);
    const at = root && segments.length ? (findNodeAtLocation(root, segments) ?? findNodeAtLocation(root, segments.slice(0, -1))) : undefined;
    return {
      code: 'device-table-invalid' as const,
      severity: RULE_CODES['device-table-invalid'],
      message: `${p.path}: ${p.message}. The CAPF server refuses this table until it is mended.`,
      offset: at?.offset ?? 0,
      length: at?.length ?? 0,
      device: '',
    };
  });
}

/** "devices[2].authenticationString" → ['devices', 2, 'authenticationString']. */
function jsonPath(p: string): Segment[] {
  return p.split('.').flatMap((part) => [...part.matchAll(/([^[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1])));
}
