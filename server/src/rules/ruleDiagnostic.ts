/** What a rule reports: a code, a severity, a message, and where it points in the decoded model. */
import { ByteRange } from '../core/tlv/model';
import { DiagnosticCode, RuleSeverity } from './codes';

/**
 * Where a diagnostic points. Trust lists: a byte range of the file, optionally narrowed to an element (tag)
 * of a record (section, 0 = header), or one of the view's summary lines. Certificate files: the n-th
 * certificate (0-based), optionally one of its fields (e.g. `validity`, `subjectPublicKeyInfo`,
 * `extensions.basicConstraints`).
 */
export type DiagnosticTarget =
  | { in: 'trust-list'; range: ByteRange; section?: number; tag?: number; line?: 'summary' }
  | { in: 'certificate'; entry: number; field?: string };

/** A place in another file that explains the diagnostic (the matching CAPF.pem, the EC record…). */
export interface RelatedTarget {
  uri: string;
  target: DiagnosticTarget;
  message: string;
}

export interface RuleDiagnostic {
  code: DiagnosticCode;
  severity: RuleSeverity;
  message: string;
  target: DiagnosticTarget;
  related?: RelatedTarget[];
}
