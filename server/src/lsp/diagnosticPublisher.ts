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
  private errors = 0;
  private warnings = 0;
  /** source URIs with errors, by key; `errorFilesVersion` moves whenever the set changes */
  private readonly errorFiles = new Map<string, string>();
  private errorFilesVersion = 0;

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
      this.count(key, { errors, warnings, uri });
    }
  }

  /** Keeps the totals as files' counts change (a status is sent after every batch: no walk over all files). */
  private count(key: string, next: { errors: number; warnings: number; uri: string } | undefined): void {
    const prev = this.sourceCounts.get(key);
    if (prev) {
      this.errors -= prev.errors;
      this.warnings -= prev.warnings;
    }
    if (next) {
      this.sourceCounts.set(key, next);
      this.errors += next.errors;
      this.warnings += next.warnings;
    } else this.sourceCounts.delete(key);
    const uri = next && next.errors > 0 ? next.uri : undefined;
    if (this.errorFiles.get(key) !== uri) {
      if (uri === undefined) this.errorFiles.delete(key);
      else this.errorFiles.set(key, uri);
      this.errorFilesVersion++;
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
    this.count(key, undefined);
  }

  /** Error and warning totals, and the version of the set of files with errors (see filesWithErrors). */
  totals(): { errors: number; warnings: number; errorFilesVersion: number } {
    return { errors: this.errors, warnings: this.warnings, errorFilesVersion: this.errorFilesVersion };
  }

  /** Source URIs of the files with errors, sorted. */
  filesWithErrors(): string[] {
    return [...this.errorFiles.values()].sort();
  }
}
