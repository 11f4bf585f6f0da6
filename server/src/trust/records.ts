/** Plain-data views of records and signers for verdicts, changes and messages. */
import { hexColon } from '../core/cert/decodeCertificate';
import { recordCommonName, TrustListHeader, TrustRecord } from '../core/tlv/model';
import { ROLE_SHORT_NAMES } from '../core/tlv/tags';
import { RecordInfo } from './model';
import { recordCertificateSha1 } from './signerMatch';

export function recordInfo(record: TrustRecord, from: RecordInfo['from']): RecordInfo {
  return {
    from,
    index: record.index,
    role: record.role,
    roleName: record.role !== undefined ? ROLE_SHORT_NAMES[record.role] ?? `role ${record.role}` : undefined,
    subject: record.subject,
    issuer: record.issuer,
    serial: record.serial ? hexColon(record.serial) : undefined,
    sha1: recordCertificateSha1(record),
  };
}

/** "ITL record #3 (SAST ITLRECOVERY_ao115pub, serial 01:02)". */
export function describeRecord(r: RecordInfo): string {
  const where = r.from === 'download' ? 'record' : `${r.from} record`;
  const cn = r.subject?.match(/CN=([^;,]*)/)?.[1];
  return `${where} #${r.index} (${r.roleName ?? 'no FUNCTION'}${cn ? ` ${cn}` : ''}${r.serial ? `, serial ${r.serial}` : ''})`;
}

/** The signer as the header names it: "CN=…;… (serial 01:02)". */
export function describeSigner(header: TrustListHeader): string {
  return `${header.signerName ?? '(no SIGNERNAME)'} (serial ${header.signerSerial ? hexColon(header.signerSerial) : 'missing'})`;
}

export { recordCommonName };
