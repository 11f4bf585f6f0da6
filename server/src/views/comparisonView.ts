/**
 * The comparison view (the editor's "Compare Trust Lists"): the verdict and every change of `itl-lens compare`,
 * laid out line by line, with where each record is named (for links into both files' decoded views) and the
 * sections of its outline. Pure: the language server resolves the links.
 */
import { TrustListChange, TrustListComparison } from '../trust/compareTrustLists';
import { RecordInfo } from '../trust/model';
import { describeRecord } from '../trust/records';
import { renderRecovery, renderVerdict, verdictWord } from '../trust/renderComparison';

export type ComparisonSide = 'held' | 'new';

/** A span of a line that names a file, or a record of it (1-based index, as the decoded views number them). */
export interface ComparisonAnchor {
  line: number;
  start: number;
  end: number;
  side: ComparisonSide;
  record?: number;
}

export interface ComparisonSection {
  name: string;
  detail?: string;
  kind: 'verdict' | 'changes' | 'change' | 'recovery';
  startLine: number;
  endLine: number;
  children?: ComparisonSection[];
}

export interface RenderedComparison {
  text: string;
  lines: string[];
  anchors: ComparisonAnchor[];
  sections: ComparisonSection[];
}

export interface ComparisonViewOptions {
  /** how the files are named (relative paths; the held one may say "ITLFile.tlv at HEAD") */
  heldName: string;
  newName: string;
}

const KIND_WIDTH = 12;

function describe(r: RecordInfo | undefined): string {
  return r ? describeRecord(r) : '—';
}

export function renderComparisonView(c: TrustListComparison, o: ComparisonViewOptions): RenderedComparison {
  const lines: string[] = [];
  const anchors: ComparisonAnchor[] = [];
  const sections: ComparisonSection[] = [];
  const push = (text: string) => lines.push(text) - 1;
  const anchorAt = (line: number, start: number, text: string, side: ComparisonSide, record?: number) =>
    anchors.push({ line, start, end: start + text.length, side, ...(record !== undefined ? { record } : {}) });

  push(`ITL Lens trust-list comparison: ${verdictWord(c.verdict)}`);
  const heldLabel = '  Phones hold:     ';
  const newLabel = '  They download:   ';
  anchorAt(push(heldLabel + o.heldName), heldLabel.length, o.heldName, 'held');
  anchorAt(push(newLabel + o.newName), newLabel.length, o.newName, 'new');
  push('');

  const verdictStart = lines.length;
  for (const l of renderVerdict(c.verdict, o.heldName, o.newName)) push(l);
  sections.push({ name: `Verdict: ${verdictWord(c.verdict)}`, detail: c.verdict.reason, kind: 'verdict', startLine: verdictStart, endLine: lines.length - 1 });
  push('');

  const changesStart = push(c.changes.length ? `Changes (${c.changes.length}):` : 'Changes: none (the same records).');
  const children: ComparisonSection[] = [];
  for (const ch of c.changes) children.push(renderChange(ch, lines, anchorAt));
  sections.push({ name: c.changes.length ? `Changes (${c.changes.length})` : 'Changes: none', kind: 'changes', startLine: changesStart, endLine: lines.length - 1, children });

  const recovery = renderRecovery(c.verdict);
  if (recovery.length) {
    push('');
    const start = lines.length;
    for (const l of recovery) push(l);
    sections.push({ name: 'What to do', detail: `${c.verdict.recovery.length} step(s)`, kind: 'recovery', startLine: start, endLine: lines.length - 1 });
  }
  return { text: lines.join('\n') + '\n', lines, anchors, sections };
}

/** "  regenerated  ITL record #3 (…) -> record #3 (…)" and its meaning; anchors on each record named. */
function renderChange(ch: TrustListChange, lines: string[], anchorAt: (line: number, start: number, text: string, side: ComparisonSide, record?: number) => void): ComparisonSection {
  const head = `  ${ch.kind.padEnd(KIND_WIDTH)} `;
  const held = ch.held && ch.kind !== 'added' ? describe(ch.held) : undefined;
  const next = ch.new && ch.kind !== 'removed' ? describe(ch.new) : undefined;
  const text = head + [held, next].filter(Boolean).join(' -> ');
  const line = lines.push(text) - 1;
  if (held) anchorAt(line, head.length, held, 'held', ch.held!.index);
  if (next) anchorAt(line, text.length - next.length, next, 'new', ch.new!.index);
  lines.push(`${' '.repeat(head.length)}${ch.meaning}`);
  return { name: `${ch.kind} ${next ?? held ?? ''}`.trim(), detail: ch.meaning, kind: 'change', startLine: line, endLine: line + 1 };
}
