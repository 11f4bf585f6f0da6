/**
 * The phone's trust model, as plain data: what a phone holds, what it downloads, and the verdict it reaches.
 * Shared by the CLI (`itl-lens compare`, `check`), the language server's rules and the lab's emulated phone:
 * inputs are decoded models, outputs are plain objects (no classes, no I/O). See docs/trust-model.md.
 */
import { TlvProblem, TrustList, TrustListHeader } from '../core/tlv/model';

/** Role codes (reference part A). */
export const Role = { SAST: 0, CCM: 1, CCM_TFTP: 2, TFTP: 3, CAPF: 4, APP_SERVER: 7, TVS: 21 } as const;

/** A trust list the phone holds. */
export interface HeldList {
  list: TrustList;
  /** the file name, for messages */
  name?: string;
}

/** What a phone holds: nothing, an ITL, a CTL, or both. */
export interface HeldTrust {
  itl?: HeldList;
  ctl?: HeldList;
}

export type DownloadKind = 'ITL' | 'CTL' | 'signed-file';

/** A file the phone downloads, decoded. */
export interface Download {
  kind: DownloadKind;
  /** the name the phone asked for (ITLSEP<MAC>.tlv, SEP<MAC>.cnf.xml.sgn…) */
  name: string;
  bytes: Buffer;
  header: TrustListHeader;
  problems: TlvProblem[];
  /** the decoded trust list, for ITL/CTL downloads */
  list?: TrustList;
  /**
   * The signer's certificate (DER): a trust list's own signing SAST record, or for a signed file the certificate
   * the caller found (a record or certificate file with the header's issuer and serial). Needed to ask TVS.
   */
  signerCertificate?: Buffer;
}

/** A record as verdicts and changes name it. */
export interface RecordInfo {
  /** which file: the held ITL or CTL, or the downloaded file */
  from: 'ITL' | 'CTL' | 'download';
  /** 1-based, as `show itl` numbers them */
  index: number;
  role?: number;
  roleName?: string;
  subject?: string;
  issuer?: string;
  /** upper-case hex */
  serial?: string;
  /** lower-case hex SHA-1 of the certificate, when known */
  sha1?: string;
}

/** What TVS answers about a certificate (tvsd: STATUS, ROLES). */
export interface TvsAnswer {
  known: boolean;
  /** role codes TVS holds the certificate for; undefined = not stated */
  roles?: number[];
}

/** The lab asks its TVS over the real protocol; the CLI answers from --tvs-knows certificates. */
export type TvsOracle = (certificate: Buffer) => TvsAnswer | Promise<TvsAnswer>;
export type SyncTvsOracle = (certificate: Buffer) => TvsAnswer;

export type Rejection = 'signer-not-trusted' | 'signature-invalid' | 'unsupported-hash' | 'malformed' | 'unsigned' | 'tvs-unknown';

export interface RecoveryStep {
  /** what to do, in Cisco's words (a CLI command, a menu path) */
  action: string;
  /** when it fits */
  when: string;
}

export interface TvsQuestion {
  /** the TVS records of the held ITL the phone would ask (TCP 2445) */
  ask: RecordInfo[];
  /** the certificate TVS must know */
  certificate?: Buffer;
  /** "CN=…;… serial 01:02 (issuer …)": the certificate TVS must know, as the header names it */
  certificateLabel: string;
  /** set once an oracle answered */
  answer?: TvsAnswer;
}

export interface PhoneVerdict {
  verdict: 'accepted' | 'accepted-via-tvs' | 'rejected';
  /** accepted: by a held record, on first use (nothing held), or because TVS vouched */
  basis?: 'record' | 'first-use' | 'tvs';
  rejection?: Rejection;
  /** one sentence: why */
  reason: string;
  /** the held record that accepted the file */
  record?: RecordInfo;
  tvs?: TvsQuestion;
  /** the status message the phone shows ("Trust List updated", "Trust List update failed", "ITL installed"…) */
  phoneStatus?: string;
  /** a phone console line seen for this case */
  phoneConsole?: string;
  /** what the phone does */
  phoneBehaviour: string;
  recovery: RecoveryStep[];
}
