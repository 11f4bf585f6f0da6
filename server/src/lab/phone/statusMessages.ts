/**
 * What the emulated phone shows under Status Messages. Sourcing (docs/capf-lab.md has the full story):
 *   [F LSC install guide] "No valid CAPF server", "LSC: Connection Failed", "LSC: Failed"; the LSC status
 *   changing to "Pending" and then "Installed".  [F 8800 Admin Guide] "Trust List update failed".
 *   [I] "LSC: Key generation…" and "LSC: Not Installed": the guide shows these states only as screenshots.
 */
export const PhoneStatus = {
  TRUST_LIST_UPDATE_FAILED: 'Trust List update failed',
  NO_VALID_CAPF_SERVER: 'No valid CAPF server',
  PENDING: 'LSC: Pending',
  KEY_GENERATION: 'LSC: Key generation…',
  INSTALLED: 'LSC: Installed',
  NOT_INSTALLED: 'LSC: Not Installed',
  CONNECTION_FAILED: 'LSC: Connection Failed',
  FAILED: 'LSC: Failed',
} as const;
export type PhoneStatusText = (typeof PhoneStatus)[keyof typeof PhoneStatus];

export type PhoneOutcome =
  /** the phone rejected the ITL (bad signature…) */
  | 'itl-rejected'
  /** the ITL holds no CAPF record */
  | 'no-capf'
  /** no TLS session with a trusted CAPF after every retry */
  | 'connection-failed'
  | 'installed'
  | 'deleted'
  | 'fetched'
  | 'no-operation'
  | 'unknown-device'
  /** the server refused or the session broke off */
  | 'failed';

export const SUCCESS_OUTCOMES: ReadonlySet<PhoneOutcome> = new Set(['installed', 'deleted', 'fetched', 'no-operation']);
