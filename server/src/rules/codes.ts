/**
 * Every diagnostic code ITL Lens reports, with its default severity. Codes are stable: settings
 * (`itlLens.diagnostics.severity`) and docs/diagnostics.md refer to them.
 */
import { TlvProblemCode } from '../core/tlv/model';
import { CertificateProblem } from '../core/cert/model';

export type RuleSeverity = 'error' | 'warning' | 'info' | 'hint';

/** Codes of the workspace rules (trust lists and certificate files) and of the CAPF device table's checks. */
export const RULE_CODES = {
  'capf-missing': 'warning',
  'capf-expired': 'error',
  'capf-near-expiry': 'warning',
  'capf-mismatch': 'error',
  'capf-unchecked': 'info',
  'capf-not-ca': 'error',
  'signature-invalid': 'error',
  'signer-missing': 'error',
  'signature-unsupported': 'warning',
  'too-many-sast': 'warning',
  'ec-signer-version': 'error',
  'too-many-records': 'error',
  'file-too-large': 'error',
  'cert-expired': 'error',
  'cert-near-expiry': 'warning',
  'cert-not-yet-valid': 'warning',
  'cert-weak-key': 'warning',
  'operation-deadline-passed': 'error',
  'operation-deadline-soon': 'warning',
  'device-table-invalid': 'error',
  'trust-update-rejected': 'error',
  'trust-update-needs-tvs': 'warning',
  'sgn-signature-invalid': 'error',
  'sgn-signer-untrusted': 'error',
  'sgn-signer-via-tvs': 'warning',
  'sgn-filename-mismatch': 'warning',
  'sgn-signer-unchecked': 'info',
  'cnf-capf-port': 'warning',
  'cnf-capf-auth-mode': 'warning',
  'cnf-capf-untrusted': 'warning',
} as const satisfies Record<string, RuleSeverity>;

export type RuleCode = keyof typeof RULE_CODES;

/** Structural codes the .tlv decoder reports, passed through with the decoder's own severity. */
export const TLV_DECODER_CODES: readonly TlvProblemCode[] = [
  'file-empty',
  'tlv-truncated',
  'tlv-bad-length',
  'tlv-unknown-tag',
  'tlv-bad-value',
  'tlv-duplicate-tag',
  'header-length-mismatch',
  'header-length-unaligned',
  'header-missing-element',
  'record-length-mismatch',
  'record-missing-element',
  'tlv-too-many-records',
  'tlv-too-many-elements',
];

/** Codes of both file decoders (trust lists and certificate files), always errors. */
export const FILE_DECODER_CODES = ['file-too-large-to-decode'] as const satisfies readonly (TlvProblemCode & CertificateProblem['code'])[];

/** Codes of the certificate and PEM decoders (always errors). */
export const CERTIFICATE_DECODER_CODES: readonly CertificateProblem['code'][] = ['cert-malformed', 'cert-truncated', 'pem-bad-base64', 'pem-unterminated', 'pem-too-many-blocks'];

export type DiagnosticCode = RuleCode | TlvProblemCode | CertificateProblem['code'];

export const ALL_CODES: readonly DiagnosticCode[] = [...(Object.keys(RULE_CODES) as RuleCode[]), ...TLV_DECODER_CODES, ...CERTIFICATE_DECODER_CODES, ...FILE_DECODER_CODES];
