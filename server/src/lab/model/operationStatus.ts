/**
 * "Certificate Operation Status" as CUCM shows it (AXL XCertificateStatus, reference part C) and the CAPF
 * log error codes of the Troubleshooting Guide, so that lab results read like a real cluster's.
 */

/** How CUCM names each operation in status strings. */
export type OperationKind = 'Upgrade' | 'Delete' | 'Troubleshoot';

export const FAILURE_CAUSES = [
  'Invalid LSC',
  'Invalid Authentication String',
  'Invalid MIC',
  'Invalid Credentials',
  'Phone Communication Failure',
  'Key Generation Failed/Timeout',
  'CA Communication Failure',
  'CA Rejected Connection',
  'User Initiated Request Late/Timedout',
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

const CA_CAUSES: ReadonlySet<FailureCause> = new Set(['CA Communication Failure', 'CA Rejected Connection']);

export const STATUS_NONE = 'None';
export const STATUS_PENDING = 'Operation Pending';
export const STATUS_EC_UNSUPPORTED = 'Upgrade Failed: No Support for EC only in CAPF version 3';

const KIND_OF_OPERATION: Readonly<Record<string, OperationKind | undefined>> = { 'Install/Upgrade': 'Upgrade', Delete: 'Delete', Troubleshoot: 'Troubleshoot' };

/** The status-string kind of a device entry's Certificate Operation; undefined for "No Pending Operation". */
export const operationKindOf = (certificateOperation: string): OperationKind | undefined =>
  Object.hasOwn(KIND_OF_OPERATION, certificateOperation) ? KIND_OF_OPERATION[certificateOperation] : undefined; // (raw editor text: not "constructor")

export const successStatus = (kind: OperationKind): string => `${kind} Success`;
export const failureStatus = (kind: OperationKind, cause?: FailureCause): string => (cause ? `${kind} Failed: ${cause}` : `${kind} Failed`);

/** Every value XCertificateStatus allows (Troubleshoot has no CA variants). */
export const ALL_STATUSES: readonly string[] = [
  STATUS_NONE,
  STATUS_PENDING,
  ...(['Upgrade', 'Delete', 'Troubleshoot'] as const).flatMap((kind) => [
    successStatus(kind),
    failureStatus(kind),
    ...FAILURE_CAUSES.filter((c) => kind !== 'Troubleshoot' || !CA_CAUSES.has(c)).map((c) => failureStatus(kind, c)),
  ]),
  STATUS_EC_UNSUPPORTED,
];

/** CAPF log error codes (Troubleshooting Guide 12.5(1)), written into the operation log. */
export const CapfLogCode = {
  CAPF_OP_SUCCESS: 0,
  CAPF_FETCH_SUCCESS_BUT_NO_CERT: 1,
  CAPF_OP_FAIL: 2,
  CAPF_OP_FAIL_INVALID_AUTH_STR: 3,
  CAPF_OP_FAIL_INVALID_LSC: 4,
  CAPF_OP_FAIL_INVALID_MIC: 5,
  CAPF_OP_FAIL_INVALID_CRENDENTIALS: 6,
  CAPF_OP_FAIL_PHONE_COMM_ERROR: 7,
  CAPF_OP_FAIL_OP_TIMED_OUT: 8,
  CAPF_OP_FAIL_LATE_REQUEST: 11,
} as const;

export function logCodeFor(cause: FailureCause | undefined): number {
  switch (cause) {
    case 'Invalid Authentication String':
      return CapfLogCode.CAPF_OP_FAIL_INVALID_AUTH_STR;
    case 'Invalid LSC':
      return CapfLogCode.CAPF_OP_FAIL_INVALID_LSC;
    case 'Invalid MIC':
      return CapfLogCode.CAPF_OP_FAIL_INVALID_MIC;
    case 'Invalid Credentials':
      return CapfLogCode.CAPF_OP_FAIL_INVALID_CRENDENTIALS;
    case 'Phone Communication Failure':
      return CapfLogCode.CAPF_OP_FAIL_PHONE_COMM_ERROR;
    case 'Key Generation Failed/Timeout':
      return CapfLogCode.CAPF_OP_FAIL_OP_TIMED_OUT;
    case 'User Initiated Request Late/Timedout':
      return CapfLogCode.CAPF_OP_FAIL_LATE_REQUEST;
    default:
      return CapfLogCode.CAPF_OP_FAIL;
  }
}
