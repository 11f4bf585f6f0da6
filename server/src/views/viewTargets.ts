/** Which line of a decoded view a diagnostic target points at, and which part of that line to underline. */
import { DiagnosticTarget } from '../rules/ruleDiagnostic';
import { RenderedView, ViewLine } from './viewModel';

const width = (l: ViewLine) => (l.range ? l.range.end - l.range.start : Infinity);

function narrowest(view: RenderedView, pick: (l: ViewLine) => boolean): number | undefined {
  let best: number | undefined;
  view.lines.forEach((l, i) => {
    if (pick(l) && (best === undefined || width(l) < width(view.lines[best]))) best = i;
  });
  return best;
}

function trustListLine(view: RenderedView, t: Extract<DiagnosticTarget, { in: 'trust-list' }>): number {
  if (t.line === 'summary') return Math.max(0, view.lines.findIndex((l) => l.kind === 'summary'));
  const inSection = (l: ViewLine) => t.section === undefined || l.section === t.section || (t.section === 0 && l.section === undefined);
  const exact = view.lines.findIndex(
    (l) => l.kind === 'element' && l.range?.start === t.range.start && l.range.end === t.range.end && (t.tag === undefined || l.tag === t.tag) && inSection(l),
  );
  if (exact >= 0) return exact;
  const containing = narrowest(view, (l) => l.kind === 'element' && !!l.range && t.range.start >= l.range.start && t.range.start < Math.max(l.range.end, l.range.start + 1) && inSection(l));
  if (containing !== undefined) return containing;
  const problem = view.lines.findIndex((l) => l.kind === 'problem' && l.range?.start === t.range.start && l.range.end === t.range.end);
  if (problem >= 0) return problem;
  if (t.section !== undefined) {
    const section = view.lines.findIndex((l) => l.kind === 'section' && (l.section ?? 0) === t.section);
    if (section >= 0) return section;
  }
  return 0;
}

function certificateLine(view: RenderedView, t: Extract<DiagnosticTarget, { in: 'certificate' }>): number {
  const n = t.entry + 1;
  if (t.field) {
    const field = view.lines.findIndex((l) => l.section === n && l.field === t.field);
    if (field >= 0) return field;
  }
  const section = view.lines.findIndex((l) => l.kind === 'section' && l.section === n);
  return section >= 0 ? section : 0;
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
