/** The file signature: does it verify, is its signer in the file, can it be checked at all. */
import { hexColon } from '../core/cert/decodeCertificate';
import { HeaderTag, RecordTag } from '../core/tlv/tags';
import { IndexedTrustList } from '../workspace/indexedFile';
import { RULE_CODES } from './codes';
import { RuleDiagnostic } from './ruleDiagnostic';
import { headerTarget, listWord, recordLabel, recordTarget } from './targets';

export function signatureRules(file: IndexedTrustList): RuleDiagnostic[] {
  const { list, signature } = file;
  const word = listWord(list);
  switch (signature.status) {
    case 'valid':
    case 'incomplete': // the decoder's problem (file-too-large-to-decode, tlv-too-many-records) says why
      return [];
    case 'invalid': {
      const signer = signature.signer!;
      return [
        {
          code: 'signature-invalid',
          severity: RULE_CODES['signature-invalid'],
          message: `The ${word} signature does not verify against ${recordLabel(signer)}: the file was changed after it was signed, or signed with another key. Phones reject it ("Trust List update failed") and keep their old trust list. Copy the file again from the TFTP server in binary mode; if the copy on the server is bad too, restart the Cisco TFTP service to rebuild it.`,
          target: headerTarget(list, HeaderTag.SIGNATURE),
          related: [{ uri: file.uri, target: recordTarget(signer), message: `The signing SAST ${recordLabel(signer)}` }],
        },
      ];
    }
    case 'unsigned':
      return [
        {
          code: 'signature-invalid',
          severity: RULE_CODES['signature-invalid'],
          message: `The ${word} carries no complete SIGNATURE element: phones reject it ("Trust List update failed"). Copy the file again from the TFTP server in binary mode, or restart the Cisco TFTP service to rebuild it.`,
          target: list.header.signature ? headerTarget(list, HeaderTag.SIGNATURE) : { in: 'trust-list', range: list.header.range, section: 0 },
        },
      ];
    case 'signer-missing': {
      const serial = list.header.signerSerial ? hexColon(list.header.signerSerial) : 'missing';
      return [
        {
          code: 'signer-missing',
          severity: RULE_CODES['signer-missing'],
          message: `The header names the signer ${list.header.signerName ?? '(no SIGNERNAME)'} (serial ${serial}), but no SAST record in the file carries that certificate. A phone that already trusts a SAST from its current trust list rejects this file ("Trust List update failed") unless a TVS in that list vouches for the signer. Rebuild the file on the TFTP server (restart the Cisco TFTP service) so that it is signed by one of its own SAST records.`,
          target: headerTarget(list, HeaderTag.SERIAL_NUMBER),
        },
      ];
    }
    case 'unsupported-algorithm': {
      const target = !signature.hashName
        ? headerTarget(list, HeaderTag.HASH_ALGORITHM)
        : signature.signer
          ? recordTarget(signature.signer, RecordTag.PUBLIC_KEY, RecordTag.CERTIFICATE)
          : headerTarget(list, HeaderTag.SIGNATURE_ALGORITHM);
      return [
        {
          code: 'signature-unsupported',
          severity: RULE_CODES['signature-unsupported'],
          message: `${signature.message} ITL Lens cannot check this signature. CUCM signs trust lists with RSA and SHA-1 or SHA-512 (the TFTP File Signature Algorithm parameter); rebuild the file with one of them before phones get it.`,
          target,
        },
      ];
    }
  }
}
