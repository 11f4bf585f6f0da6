/**
 * Sends publishDiagnostics only when a file's diagnostics changed, clears them under an old URI spelling when
 * the client starts using another, and keeps the counts the workspace status reports.
 */
import { createHash } from 'node:crypto';
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-protocol';

export type PublishSlot = 'source' | 'view';

interface Published {
  uri: string;
  /** what was sent, as a digest of its JSON ('[]' for nothing): a workspace holds tens of thousands of files */
  json: string;
}

function digest(diagnostics: Diagnostic[]): string {
  return diagnostics.length ? createHash('sha256').update(JSON.stringify(diagnostics)).digest('base64') : '[]';
}

export class DiagnosticPublisher {
  private readonly last = new Map<string, Published>();
  private readonly sourceCounts = new Map<string, { errors: number; warnings: number; uri: string }>();

  constructor(private readonly send: (uri: string, diagnostics: Diagnostic[]) => void) {}

  publish(key: string, slot: PublishSlot, uri: string, diagnostics: Diagnostic[]): void {
    const id = `${slot}\u0000${key}`;
    const prev = this.last.get(id);
    const json = digest(diagnostics);
    if (prev && prev.uri !== uri && prev.json !== '[]') this.send(prev.uri, []);
    if (!prev && diagnostics.length === 0) {
      this.last.set(id, { uri, json });
    } else if (!prev || prev.uri !== uri || prev.json !== json) {
      this.send(uri, diagnostics);
      this.last.set(id, { uri, json });
    }
    if (slot === 'source') {
      const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
      const warnings = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).length;
      this.sourceCounts.set(key, { errors, warnings, uri });
    }
  }

  /** Clears everything published for a file that left the workspace. */
  clear(key: string): void {
    for (const slot of ['source', 'view'] as const) {
      const id = `${slot}\u0000${key}`;
      const prev = this.last.get(id);
      if (prev && prev.json !== '[]') this.send(prev.uri, []);
      this.last.delete(id);
    }
    this.sourceCounts.delete(key);
  }

  totals(): { errors: number; warnings: number; filesWithErrors: string[] } {
    let errors = 0;
    let warnings = 0;
    const filesWithErrors: string[] = [];
    for (const c of this.sourceCounts.values()) {
      errors += c.errors;
      warnings += c.warnings;
      if (c.errors) filesWithErrors.push(c.uri);
    }
    return { errors, warnings, filesWithErrors: filesWithErrors.sort() };
  }
}
