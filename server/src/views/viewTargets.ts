/** Which line of a decoded view a diagnostic target points at, and which part of that line to underline. */
import { DiagnosticTarget } from '../rules/ruleDiagnostic';
import { RenderedView, ViewLine } from './viewModel';

const width = (l: ViewLine) => (l.range ? l.range.end - l.range.start : Infinity);

/**
 * Lookups over a view's lines, made once per view: placing each of a file's diagnostics must not scan every line
 * of the view (thousands of records or certificates, thousands of diagnostics).
 */
interface ViewIndex {
  /** element lines by `start:end` of their range, in order */
  elements: Map<string, number[]>;
  /** first problem line by `start:end` */
  problems: Map<string, number>;
  /** first section line by section number (0: the header, whose line has no section) */
  sectionLines: Map<number, number>;
  /** first line of a certificate field by `section field` */
  fields: Map<string, number>;
  /** lines spanned by each section of the view */
  sections: Map<number, { startLine: number; endLine: number }>;
  summary: number;
}

const indexes = new WeakMap<RenderedView, ViewIndex>();
const rangeKey = (r: { start: number; end: number }) => `${r.start}:${r.end}`;

function indexOf(view: RenderedView): ViewIndex {
  let index = indexes.get(view);
  if (index) return index;
  index = { elements: new Map(), problems: new Map(), sectionLines: new Map(), fields: new Map(), sections: new Map(), summary: -1 };
  for (let i = 0; i < view.lines.length; i++) {
    const l = view.lines[i];
    if (l.kind === 'element' && l.range) {
      const key = rangeKey(l.range);
      const at = index.elements.get(key);
      if (at) at.push(i);
      else index.elements.set(key, [i]);
    } else if (l.kind === 'problem' && l.range && !index.problems.has(rangeKey(l.range))) index.problems.set(rangeKey(l.range), i);
    else if (l.kind === 'section' && !index.sectionLines.has(l.section ?? 0)) index.sectionLines.set(l.section ?? 0, i);
    else if (l.kind === 'summary' && index.summary < 0) index.summary = i;
    if (l.field !== undefined && l.section !== undefined && !index.fields.has(`${l.section} ${l.field}`)) index.fields.set(`${l.section} ${l.field}`, i);
  }
  for (const s of view.sections) if (!index.sections.has(s.index)) index.sections.set(s.index, s);
  indexes.set(view, index);
  return index;
}

function trustListLine(view: RenderedView, t: Extract<DiagnosticTarget, { in: 'trust-list' }>): number {
  const index = indexOf(view);
  if (t.line === 'summary') return Math.max(0, index.summary);
  const inSection = (l: ViewLine) => t.section === undefined || l.section === t.section || (t.section === 0 && l.section === undefined);
  const exact = index.elements.get(rangeKey(t.range))?.find((i) => (t.tag === undefined || view.lines[i].tag === t.tag) && inSection(view.lines[i]));
  if (exact !== undefined) return exact;
  // The narrowest element line that holds the target's start; element lines of a section lie within it.
  const within = t.section !== undefined ? index.sections.get(t.section) : undefined;
  let best: number | undefined;
  for (let i = within?.startLine ?? 0, last = within?.endLine ?? view.lines.length - 1; i <= last; i++) {
    const l = view.lines[i];
    if (l.kind === 'element' && !!l.range && t.range.start >= l.range.start && t.range.start < Math.max(l.range.end, l.range.start + 1) && inSection(l)) {
      if (best === undefined || width(l) < width(view.lines[best])) best = i;
    }
  }
  if (best !== undefined) return best;
  const problem = index.problems.get(rangeKey(t.range));
  if (problem !== undefined) return problem;
  if (t.section !== undefined) {
    const section = index.sectionLines.get(t.section);
    if (section !== undefined) return section;
  }
  return 0;
}

function certificateLine(view: RenderedView, t: Extract<DiagnosticTarget, { in: 'certificate' }>): number {
  const index = indexOf(view);
  const n = t.entry + 1;
  if (t.field) {
    const field = index.fields.get(`${n} ${t.field}`);
    if (field !== undefined) return field;
  }
  return index.sectionLines.get(n) ?? 0;
}

export function lineForTarget(view: RenderedView, target: DiagnosticTarget): number {
  return target.in === 'trust-list' ? trustListLine(view, target) : certificateLine(view, target);
}

/** The underlined part of a view line: from its first non-blank character to its end. */
export function lineSpan(view: RenderedView, line: number): { start: number; end: number } {
  const text = view.lines[line]?.text ?? '';
  const start = text.length - text.trimStart().length;
  return { start, end: Math.max(start, text.length) };
}
