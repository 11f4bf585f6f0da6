/** Tag numbers and code tables of the Cisco .tlv trust-list format (reference part A). */

export const HeaderTag = {
  VERSION: 1,
  HEADER_LENGTH: 2,
  SIGNER_INFO: 3,
  SIGNER_NAME: 4,
  SERIAL_NUMBER: 5,
  ISSUER_NAME: 6,
  SIGNATURE_INFO: 7,
  HASH_ALGORITHM: 8,
  SIGNATURE_ALGORITHM_INFO: 9,
  SIGNATURE_ALGORITHM: 10,
  SIGNATURE_MODULUS: 11,
  SIGNATURE: 12,
  PADDING: 13,
  FILENAME: 14,
  TIMESTAMP: 15,
  SIGNER_VERSION: 28,
} as const;

export const HEADER_TAG_NAMES: Record<number, string> = {
  1: 'VERSION',
  2: 'HEADERLENGTH',
  3: 'SIGNERID',
  4: 'SIGNERNAME',
  5: 'SERIALNUMBER',
  6: 'CANAME',
  7: 'SIGNATUREINFO',
  8: 'DIGESTALGORITHM',
  9: 'SIGNATUREALGOINFO',
  10: 'SIGNATUREALGORITHM',
  11: 'SIGNATUREMODULUS',
  12: 'SIGNATURE',
  13: 'PADDING',
  14: 'FILENAME',
  15: 'TIMESTAMP',
  28: 'SIGNERVERSION',
};

/** Encryption tags 16–27 belong to .enc.sgn files; we name them but never expect them in a trust list. */
for (let t = 16; t <= 27; t++) HEADER_TAG_NAMES[t] ??= `ENCRYPTION_${t}`;

export const HEADER_TAG_MEANINGS: Record<number, string> = {
  1: 'Format version of the trust list (major.minor); CUCM writes 1.2.',
  2: 'Total size of the header in bytes, up to the first record, including the signature and padding; a multiple of 4.',
  3: 'Signer identity: a container holding the signer name, issuer and serial number that follow.',
  4: 'Subject DN of the certificate that signed this file.',
  5: 'Serial number of the certificate that signed this file; the signer is the SAST record with this serial.',
  6: 'Issuer DN of the certificate that signed this file.',
  7: 'Signature information: a container for the digest and signature algorithm (always 15 bytes).',
  8: 'Digest used for the file signature: 1 = SHA-1, 2 = SHA-256, 3 = SHA-512.',
  9: 'Signature algorithm information: a container (8 bytes).',
  10: 'Signature algorithm: 0 = RSA.',
  11: 'Signature size index: 0/1/2/3 = 64/128/256/512-byte signature.',
  12: 'RSA PKCS#1 v1.5 signature over the whole file with this element cut out.',
  13: 'Padding byte (0x0D, no length) so that the header length is a multiple of 4.',
  14: 'File name the signer gave the file (per-device ITLSEP files still say ITLFile.tlv).',
  15: 'Time the file was signed (Unix time, UTC).',
  28: 'Signer version: 1.1 is required when the file holds EC certificates.',
};

export const RecordTag = {
  RECORD_LENGTH: 1,
  DNS_NAME: 2,
  SUBJECT_NAME: 3,
  FUNCTION: 4,
  ISSUER_NAME: 5,
  SERIAL_NUMBER: 6,
  PUBLIC_KEY: 7,
  SIGNATURE: 8,
  CERTIFICATE: 9,
  IP_ADDRESS: 10,
  CERT_HASH: 11,
  HASH_ALGORITHM: 12,
} as const;

export const RECORD_TAG_NAMES: Record<number, string> = {
  1: 'RECORDLENGTH',
  2: 'DNSNAME',
  3: 'SUBJECTNAME',
  4: 'FUNCTION',
  5: 'ISSUERNAME',
  6: 'SERIALNUMBER',
  7: 'PUBLICKEY',
  8: 'SIGNATURE',
  9: 'CERTIFICATE',
  10: 'IPADDRESS',
  11: 'CERTHASH',
  12: 'HASH ALGORITHM',
};

export const RECORD_TAG_MEANINGS: Record<number, string> = {
  1: 'Length of the whole record in bytes, including this element.',
  2: 'DNS name of the server the certificate belongs to (often empty).',
  3: 'Subject DN of the certificate, `;`-separated as CUCM writes it.',
  4: 'Function (role) of the certificate: what phones trust it for.',
  5: 'Issuer DN of the certificate.',
  6: 'Serial number of the certificate.',
  7: 'Public key of the certificate: PKCS#1 RSAPublicKey for RSA, an X9.62 point for EC.',
  8: "The certificate's own signature bytes.",
  9: 'The whole certificate (DER); shown with its SHA-1 hash.',
  10: 'IP address of the server (4 bytes).',
  11: 'Hash of the certificate (SHA-1 of its DER); CUCM writes hash-only records for CAPF and TVS.',
  12: 'Hash algorithm of the CERTHASH element.',
};

export const ROLE_NAMES: Record<number, string> = {
  0: 'System Administrator Security Token',
  1: 'CCM',
  2: 'CCM+TFTP',
  3: 'TFTP',
  4: 'CAPF',
  5: 'SRST',
  7: 'APP-SERVER',
  21: 'TVS',
};

/** The FUNCTION (role) code of a CAPF record. */
export const CAPF_ROLE = 4;

export const ROLE_SHORT_NAMES: Record<number, string> = { ...ROLE_NAMES, 0: 'SAST' };

export const ROLE_MEANINGS: Record<number, string> = {
  0: 'SAST — System Administrator Security Token: a certificate allowed to sign this trust list. Phones accept a new trust list only if one of these signed it (at most 2 per file).',
  1: 'CCM — the CallManager service certificate: phones use it for secure SIP/SCCP signalling (TLS 5061/2443).',
  2: 'CCM+TFTP — a node running both CallManager and TFTP: trusted for signalling and for signed configuration files.',
  3: 'TFTP — the TFTP server certificate: phones check signed configuration files and firmware loads against it.',
  4: 'CAPF — the Certificate Authority Proxy Function: phones trust it on TCP 3804 to install, upgrade, fetch or delete their LSC.',
  5: 'SRST — Survivable Remote Site Telephony gateway (old certutils code only).',
  7: 'APP-SERVER — an HTTPS application server phones may trust (e.g. for services).',
  21: 'TVS — the Trust Verification Service: phones ask it (TCP 2445) about certificates that are not in their ITL.',
};

/** Role number from a name as CUCM prints it, or the SAST short name, case-insensitively. */
export function roleFromName(name: string): number | undefined {
  const n = name.trim().toUpperCase();
  if (/^\d+$/.test(n)) return Number(n);
  for (const [code, label] of Object.entries(ROLE_NAMES)) {
    if (label.toUpperCase() === n || ROLE_SHORT_NAMES[Number(code)].toUpperCase() === n) return Number(code);
  }
  if (n === 'HTTPS') return 7;
  return undefined;
}

export const HASH_ALGORITHMS: Record<number, { name: string; node: string; size: number }> = {
  1: { name: 'SHA1', node: 'sha1', size: 20 },
  2: { name: 'SHA256', node: 'sha256', size: 32 },
  3: { name: 'SHA512', node: 'sha512', size: 64 },
};

export const SIGNATURE_MODULUS_SIZES: Record<number, number> = { 0: 64, 1: 128, 2: 256, 3: 512 };

/** The curve of an uncompressed X9.62 EC point (0x04, then X and Y), by the point's length. */
export const EC_POINT_CURVES: Readonly<Record<number, string>> = { 65: 'P-256', 97: 'P-384', 133: 'P-521' };

/** A PUBLICKEY that is an uncompressed X9.62 EC point (0x04, then X and Y) of P-256, P-384 or P-521. */
export function isUncompressedEcPoint(raw: Buffer): boolean {
  return raw[0] === 0x04 && raw.length in EC_POINT_CURVES;
}
