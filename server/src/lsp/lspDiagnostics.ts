/** Rule diagnostics as LSP diagnostics: on the decoded view's line, and on the source file (PEM block or byte 0). */
import { Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, Range } from 'vscode-languageserver-protocol';
import { SourceDiagnosticData } from '../shared/lspExtensions';
import { RuleSeverity } from '../rules/codes';
import { DeviceTableDiagnostic } from '../rules/deviceTableRules';
import { DiagnosticTarget, RuleDiagnostic } from '../rules/ruleDiagnostic';
import { positionAt, sourceLocation } from '../rules/sourceLocation';
import { RenderedView } from '../views/viewModel';
import { lineForTarget, lineSpan } from '../views/viewTargets';
import { IndexedFile } from '../workspace/indexedFile';
import { WorkspaceIndex } from '../workspace/workspaceIndex';

export const DIAGNOSTIC_SOURCE = 'itl-lens';

const SEVERITY: Record<RuleSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What the mapping needs from the server's state. */
export interface DiagnosticMapping {
  index: WorkspaceIndex;
  viewOf(file: IndexedFile): RenderedView;
  viewUriOf(file: IndexedFile): string;
  sourceUriOf(file: IndexedFile): string;
  /** link shown with each code (docs/diagnostics.md), if the docs are installed */
  docsUri?: string;
}

/** A view line's range: its underlined part (first non-blank character to the end). */
export function lineRange(view: RenderedView, line: number): Range {
  const span = lineSpan(view, line);
  return Range.create(line, span.start, line, span.end);
}

export function viewRange(view: RenderedView, target: DiagnosticTarget): Range {
  return lineRange(view, lineForTarget(view, target));
}

/** Where a target lies for a reader: the PEM block of a text file, else the line of the decoded view. */
export function targetLocation(file: IndexedFile, target: DiagnosticTarget, m: Pick<DiagnosticMapping, 'viewOf' | 'viewUriOf' | 'sourceUriOf'>): Location {
  const src = sourceLocation(file, target);
  if (src.textual) return Location.create(m.sourceUriOf(file), src.range);
  return Location.create(m.viewUriOf(file), viewRange(m.viewOf(file), target));
}

export function related(d: RuleDiagnostic, m: DiagnosticMapping): DiagnosticRelatedInformation[] | undefined {
  const out: DiagnosticRelatedInformation[] = [];
  for (const r of d.related ?? []) {
    const file = m.index.get(r.uri);
    if (file) out.push(DiagnosticRelatedInformation.create(targetLocation(file, r.target, m), r.message));
  }
  return out.length ? out : undefined;
}

export function toLsp(d: Pick<RuleDiagnostic, 'code' | 'severity' | 'message'>, range: Range, rel: DiagnosticRelatedInformation[] | undefined, m: Pick<DiagnosticMapping, 'docsUri'>): Diagnostic {
  const diag: Diagnostic = { range, severity: SEVERITY[d.severity], code: d.code, source: DIAGNOSTIC_SOURCE, message: d.message };
  if (m.docsUri) diag.codeDescription = { href: `${m.docsUri}#${d.code}` };
  if (rel) diag.relatedInformation = rel;
  return diag;
}

/**
 * The LSP diagnostics of a file: on its source (PEM block, or line 0 of a binary file with the byte range in
 * `data`) and, when the view is given, on the view's lines. Related locations are computed once for both.
 */
export function toLspDiagnostics(file: IndexedFile, view: RenderedView | undefined, diagnostics: RuleDiagnostic[], m: DiagnosticMapping): { source: Diagnostic[]; view: Diagnostic[] } {
  const source: Diagnostic[] = [];
  const onView: Diagnostic[] = [];
  for (const d of diagnostics) {
    const rel = related(d, m);
    const src = sourceLocation(file, d.target);
    const diag = toLsp(d, src.range, rel, m);
    if (view) {
      const range = viewRange(view, d.target);
      onView.push(toLsp(d, range, rel, m));
      if (!src.textual && src.bytes) {
        const data: SourceDiagnosticData = { byteOffset: src.bytes.start, byteLength: src.bytes.end - src.bytes.start, viewUri: m.viewUriOf(file), viewLine: range.start.line };
        diag.data = data;
      }
    }
    source.push(diag);
  }
  return { source, view: onView };
}

/** The device table's findings (deviceTableRules.ts) on its text: each on the Operation Completes By value. */
export function deviceTableLspDiagnostics(text: string, found: DeviceTableDiagnostic[], m: Pick<DiagnosticMapping, 'docsUri'>): Diagnostic[] {
  return found.map((d) => toLsp(d, Range.create(positionAt(text, d.offset), positionAt(text, d.offset + d.length)), undefined, m));
}
