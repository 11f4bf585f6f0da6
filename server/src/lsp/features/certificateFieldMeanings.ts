/** What each certificate field means, for hovers on the certificate view. */
export const CERTIFICATE_FIELD_MEANINGS: Record<string, string> = {
  version: 'X.509 version; version 3 certificates carry extensions.',
  serialNumber: 'Serial number the issuer gave the certificate. With the issuer it names the certificate: trust-list records carry it as SERIALNUMBER.',
  signature: 'Algorithm the issuer signed the certificate with (inside the signed part).',
  issuer: 'Who signed the certificate. Self-signed CUCM certificates (CallManager, CAPF, TVS, ITLRecovery) name themselves; an LSC names the CAPF that issued it.',
  validity: 'Validity period. Phones and servers reject the certificate outside it.',
  'validity.notBefore': 'Start of the validity period: the certificate is rejected before it.',
  'validity.notAfter': 'End of the validity period: the certificate is rejected after it.',
  subject: 'Who the certificate belongs to; trust-list records carry it as SUBJECTNAME (`;`-separated).',
  subjectPublicKeyInfo: 'The public key. Trust-list records carry it as PUBLICKEY: PKCS#1 for RSA, an X9.62 point for EC.',
  'extensions.basicConstraints': 'Whether the certificate may sign other certificates. From CUCM 14SU2 on, a CAPF certificate must say CA:TRUE, pathlen:0.',
  'extensions.keyUsage': 'What the key may be used for. A CAPF certificate needs digitalSignature and keyCertSign (14SU2 on); an LSC needs digitalSignature and keyEncipherment.',
  'extensions.extKeyUsage': 'Purposes the certificate is meant for: TLS server and client authentication, IPsec End System.',
  'extensions.subjectAltName': 'Other names of the subject: DNS names and addresses; an LSC carries the device name as a URI.',
  'extensions.subjectKeyIdentifier': 'An identifier of this certificate\'s key.',
  'extensions.authorityKeyIdentifier': 'An identifier of the issuer\'s key, to find the issuing certificate.',
  signatureAlgorithm: 'Algorithm of the issuer\'s signature.',
  signatureValue: 'The issuer\'s signature over the certificate.',
  sha1: "SHA-1 of the certificate's DER: the value of a trust list's CERTHASH and of `show itl`'s \"(SHA1 Hash HEX)\".",
  sha256: "SHA-256 of the certificate's DER (the Trust Verification Service keys its database on it).",
};

/** Labels of the view's summary lines, which are not DER fields. */
export const SUMMARY_FIELD_LABELS: Record<string, string> = {
  validity: 'Validity',
  sha1: 'SHA-1 Fingerprint',
  sha256: 'SHA-256 Fingerprint',
};
