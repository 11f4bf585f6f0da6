/**
 * Structural rules of a trust list: the decoder's own problems (passed through with their codes), and the
 * cheap checks of reference part D — at most 2 SAST records, signer version 1.1 with EC certificates,
 * at most 39 records and 64 KB.
 */
import { HeaderTag, RecordTag } from '../core/tlv/tags';
import { IndexedTrustList } from '../workspace/indexedFile';
import { RULE_CODES } from './codes';
import { RuleDiagnostic } from './ruleDiagnostic';
import { capitalise, headerTarget, listWord, recordLabel, recordTarget, summaryTarget } from './targets';

export const MAX_SAST_RECORDS = 2;
export const MAX_RECORDS = 39;
export const MAX_FILE_BYTES = 64 * 1024;

export function decoderProblems(file: IndexedTrustList): RuleDiagnostic[] {
  return file.list.problems.map((p) => ({
    code: p.code,
    severity: p.severity,
    message: p.message,
    target: { in: 'trust-list', range: p.range },
  }));
}

export function tooManySast(file: IndexedTrustList): RuleDiagnostic[] {
  const sast = file.list.records.filter((r) => r.role === 0);
  if (sast.length <= MAX_SAST_RECORDS) return [];
  const word = listWord(file.list);
  return sast.slice(MAX_SAST_RECORDS).map((r) => ({
    code: 'too-many-sast',
    severity: RULE_CODES['too-many-sast'],
    message: `This ${word} holds ${sast.length} SAST records; a trust list may hold at most ${MAX_SAST_RECORDS}, and ${recordLabel(r)} is one too many. Phones may reject the file. Keep only the SAST certificates that sign trust lists (the TFTP server's and ITLRecovery), then rebuild the file.`,
    target: recordTarget(r, RecordTag.FUNCTION),
  }));
}

export function ecNeedsSignerVersion11(file: IndexedTrustList): RuleDiagnostic[] {
  const ec = file.records.filter((r) => r.ecKey);
  const version = file.list.header.signerVersion;
  if (!ec.length || version === '1.1') return [];
  const first = ec[0].record;
  return [
    {
      code: 'ec-signer-version',
      severity: RULE_CODES['ec-signer-version'],
      message: `${capitalise(recordLabel(first))}${ec.length > 1 ? ` and ${ec.length - 1} more` : ''} hold${ec.length > 1 ? '' : 's'} an EC certificate, but the header's SIGNERVERSION is ${version ?? 'missing'}. A trust list must use signer version 1.1 for EC certificates: phones cannot use them for EC TLS, EC HTTPS provisioning or EC LSCs. Rebuild the ${listWord(file.list)} with signer version 1.1.`,
      target: version ? headerTarget(file.list, HeaderTag.SIGNER_VERSION) : headerTarget(file.list, HeaderTag.VERSION),
      related: ec.map((r) => ({ uri: file.uri, target: recordTarget(r.record, RecordTag.PUBLIC_KEY), message: `${capitalise(recordLabel(r.record))} holds an EC key` })),
    },
  ];
}

export function sizeLimits(file: IndexedTrustList): RuleDiagnostic[] {
  const out: RuleDiagnostic[] = [];
  const word = listWord(file.list);
  const n = file.list.records.length;
  if (n > MAX_RECORDS) {
    const first = file.list.records[MAX_RECORDS];
    out.push({
      code: 'too-many-records',
      severity: RULE_CODES['too-many-records'],
      message: `This ${word} holds ${n} records. With more than ${MAX_RECORDS} certificates an ITL passes 64 KB, and phones then fail to load it and fail to register. Remove the certificates phones do not need, then restart the Cisco TFTP service to rebuild the file.`,
      target: recordTarget(first, RecordTag.RECORD_LENGTH),
    });
  }
  if (file.list.size > MAX_FILE_BYTES) {
    out.push({
      code: 'file-too-large',
      severity: RULE_CODES['file-too-large'],
      message: `This ${word} is ${file.list.size.toLocaleString('en-US')} bytes, over 64 KB (${MAX_FILE_BYTES.toLocaleString('en-US')} bytes): phones fail to load it and fail to register. Remove the certificates phones do not need, then restart the Cisco TFTP service to rebuild the file.`,
      target: summaryTarget(file.list),
    });
  }
  return out;
}
