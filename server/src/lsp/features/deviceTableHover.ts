/**
 * Hover on an entry of a CAPF device table (capf-devices.json): the device's Certificate Operation Status as
 * the lab server left it, in CUCM's words, beside what the entry asks for. The table says what to do and the
 * server's state log (capf-state.jsonl, in the same lab folder) says what it did; this is where a person
 * editing the one sees the other. The state is read when the pointer asks, so it is never stale.
 */
import * as path from 'node:path';
import { Node as JsonNode, findNodeAtLocation, parseTree } from 'jsonc-parser';
import { DeviceState } from '../../lab/model/deviceState';
import { loadDeviceStatesSync } from '../../lab/model/deviceStateFiles';
import { statusRow } from '../../lab/model/deviceStatusRows';
import { CertificateOperation } from '../../lab/model/deviceTable';
import { labPaths } from '../../lab/model/labLayout';
import { Hover, MarkupKind, Position, Range } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { dateAndRelative } from '../../core/time/relativeTime';
import { md } from './markdown';

export interface DeviceTableHover {
  markdown: string;
  /** the entry's object in the text, as offsets */
  start: number;
  end: number;
}

/** The states of the lab folder a table lives in (the table is `<lab>/capf-devices.json`). */
export function statesBesideTable(tablePath: string): Map<string, DeviceState> {
  return loadDeviceStatesSync(labPaths(path.dirname(tablePath)));
}

function stringAt(entry: JsonNode, key: string): string | undefined {
  const v = findNodeAtLocation(entry, [key])?.value;
  return typeof v === 'string' ? v : undefined;
}

/** The hover for the entry at `offset`, or undefined off the entries (or on an entry with no name yet). */
export function deviceTableHover(text: string, offset: number, states: Map<string, DeviceState>, now: Date): DeviceTableHover | undefined {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const devices = root && findNodeAtLocation(root, ['devices']);
  if (devices?.type !== 'array') return undefined;
  const entry = devices.children?.find((e) => e.type === 'object' && e.offset <= offset && offset < e.offset + e.length);
  const name = entry && stringAt(entry, 'name');
  if (!entry || !name) return undefined;
  const operation = stringAt(entry, 'certificateOperation') ?? 'No Pending Operation';
  const state = states.get(name);
  const row = statusRow(name, state, {
    certificateOperation: operation as CertificateOperation,
    operationCompletesBy: stringAt(entry, 'operationCompletesBy'),
    operationScheduledAt: stringAt(entry, 'operationScheduledAt'),
  });
  const lines = [`**${md(name)}**: Certificate Operation Status **${md(row.status)}**`, ''];
  lines.push(`- Certificate Operation: ${md(row.operation)}${row.completed ? ' (done: the server runs it again only when it is scheduled again)' : ''}`);
  const deadline = row.operationCompletesBy ? new Date(row.operationCompletesBy) : undefined;
  if (deadline && !Number.isNaN(deadline.getTime())) lines.push(`- Operation Completes By: ${md(dateAndRelative(deadline, now))}`);
  const notAfter = row.lscNotAfter ? new Date(row.lscNotAfter) : undefined;
  if (row.lscSerialNumber) lines.push(`- LSC: serial ${md(row.lscSerialNumber)}${notAfter && !Number.isNaN(notAfter.getTime()) ? `, valid to ${md(dateAndRelative(notAfter, now))}` : ''}`);
  else lines.push('- LSC: none issued by this lab');
  if (state?.authFailures?.count) lines.push(`- Wrong authentication strings: ${state.authFailures.count}${state.authFailures.lockedUntil ? `, locked until ${md(state.authFailures.lockedUntil)}` : ''}`);
  lines.push('', state ? `From the lab server's state (capf-state.jsonl, last change ${md(state.updatedAt || 'unknown')}); \`itl-lens capf status\` lists every device.` : 'The lab server has not seen this phone yet.');
  return { markdown: lines.join('\n'), start: entry.offset, end: entry.offset + entry.length };
}

/** The LSP hover at `position` in an open table (the editor's document), its lab folder's state read now. */
export function deviceTableLspHover(doc: TextDocument, tablePath: string, position: Position, now: Date): Hover | null {
  const h = deviceTableHover(doc.getText(), doc.offsetAt(position), statesBesideTable(tablePath), now);
  return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: Range.create(doc.positionAt(h.start), doc.positionAt(h.end)) } : null;
}
