/**
 * Typed builders and parsers for the messages of the install, fetch and delete flows (reference part B,
 * "Install transcript" and "Other flows"). Builders keep the element order of the reference transcript.
 */
import { AuthType, CertType, Command, CurveName, CURVE_BY_CODE, CODE_BY_CURVE, Element, KeyType, PROTOCOL_VERSION } from './constants';
import {
  CapfMessage,
  Decoded,
  FramedCertificate,
  HashTagged,
  decodeCertificateValue,
  decodeHashTagged,
  el,
  encodeCertificateValue,
  fail,
  ok,
  readCString,
  readU16,
  readU8,
  required,
  single,
} from './codec';

export type KeyRequest = { keyType: 'RSA'; keySize: number } | { keyType: 'EC'; curve: CurveName };

const msg = (command: number, sessionId: number, elements: CapfMessage['elements'] = []): CapfMessage => ({ command, sessionId, elements });

// ---- builders --------------------------------------------------------------------------------------

export function authRequest(sessionId: number, authType: number = AuthType.NONE, version = PROTOCOL_VERSION): CapfMessage {
  return msg(Command.AUTH_REQ, sessionId, [el.u8(Element.VERSION, version), el.u8(Element.AUTH_TYPE, authType)]);
}

export interface AuthResponseFields {
  deviceName: string;
  /** '' sends the empty PASSWORD `0b 0001 00`, as phones do for null-string authentication */
  password: string;
  version?: number;
  certificate?: FramedCertificate;
  /** SIGNED_DATA: SHA-1 signature over device name + NUL + certificate DER */
  signedData?: Buffer;
  /** SHA2_SIGNED_DATA value, already hash-tagged (`03 LLLL sig`) */
  sha2SignedData?: Buffer;
}

export function authResponse(sessionId: number, f: AuthResponseFields): CapfMessage {
  const elements = [
    el.u8(Element.REASON, 1),
    el.u8(Element.VERSION, f.version ?? PROTOCOL_VERSION),
    el.cstring(Element.PASSWORD, f.password),
    el.cstring(Element.DEVICE_NAME, f.deviceName),
  ];
  if (f.certificate) elements.push(el.bytes(Element.CERTIFICATE, encodeCertificateValue(f.certificate.certType, f.certificate.der)));
  if (f.signedData) elements.push(el.bytes(Element.SIGNED_DATA, f.signedData));
  if (f.sha2SignedData) elements.push(el.bytes(Element.SHA2_SIGNED_DATA, f.sha2SignedData));
  return msg(Command.AUTH_RESP, sessionId, elements);
}

export function keygenRequest(sessionId: number, req: KeyRequest): CapfMessage {
  return req.keyType === 'RSA'
    ? msg(Command.KEYGEN_REQ, sessionId, [el.u16(Element.KEY_SIZE, req.keySize), el.u8(Element.KEY_TYPE, KeyType.RSA)])
    : msg(Command.KEYGEN_REQ, sessionId, [el.u8(Element.KEY_TYPE, KeyType.EC), el.u8(Element.CURVE, CODE_BY_CURVE[req.curve])]);
}

export const requestInProgress = (sessionId: number): CapfMessage => msg(Command.REQUEST_IN_PROGRESS, sessionId);

/** With a public key (SubjectPublicKeyInfo DER) on success, or a reason and no key on failure. */
export function keygenResponse(sessionId: number, result: { publicKey: Buffer } | { reason: number }): CapfMessage {
  return 'publicKey' in result
    ? msg(Command.KEYGEN_RESP, sessionId, [el.bytes(Element.PUBLIC_KEY, result.publicKey)])
    : msg(Command.KEYGEN_RESP, sessionId, [el.u8(Element.REASON, result.reason)]);
}

export function storeCertRequest(sessionId: number, der: Buffer): CapfMessage {
  return msg(Command.STORE_CERT_REQ, sessionId, [el.u8(Element.CERT_TYPE, CertType.LSC), el.bytes(Element.CERTIFICATE, encodeCertificateValue(CertType.LSC, der))]);
}

export const storeCertResponse = (sessionId: number, reason: number): CapfMessage => msg(Command.STORE_CERT_RESP, sessionId, [el.u8(Element.REASON, reason)]);
export const fetchCertRequest = (sessionId: number): CapfMessage => msg(Command.FETCH_CERT_REQ, sessionId);

export function fetchCertResponse(sessionId: number, result: { certificate: FramedCertificate } | { reason: number }): CapfMessage {
  return 'certificate' in result
    ? msg(Command.FETCH_CERT_RESP, sessionId, [el.u8(Element.REASON, 1), el.bytes(Element.CERTIFICATE, encodeCertificateValue(result.certificate.certType, result.certificate.der))])
    : msg(Command.FETCH_CERT_RESP, sessionId, [el.u8(Element.REASON, result.reason)]);
}

export const deleteCertRequest = (sessionId: number): CapfMessage => msg(Command.DELETE_CERT_REQ, sessionId);
export const deleteCertResponse = (sessionId: number, reason: number): CapfMessage => msg(Command.DELETE_CERT_RESP, sessionId, [el.u8(Element.REASON, reason)]);
export const endSession = (sessionId: number, reason: number): CapfMessage => msg(Command.END_SESSION, sessionId, [el.u8(Element.REASON, reason)]);

// ---- parsers ---------------------------------------------------------------------------------------

function optionalU8(m: CapfMessage, tag: number): Decoded<number | undefined> {
  const e = single(m, tag);
  if (!e.ok) return e;
  return e.value ? readU8(e.value) : ok(undefined);
}

function requiredU8(m: CapfMessage, tag: number): Decoded<number> {
  const e = required(m, tag);
  return e.ok ? readU8(e.value) : e;
}

export interface AuthRequestFields {
  version: number;
  authType?: number;
}

export function parseAuthRequest(m: CapfMessage): Decoded<AuthRequestFields> {
  const version = requiredU8(m, Element.VERSION);
  if (!version.ok) return version;
  const authType = optionalU8(m, Element.AUTH_TYPE);
  if (!authType.ok) return authType;
  return ok({ version: version.value, authType: authType.value });
}

export interface ParsedAuthResponse {
  reason?: number;
  version: number;
  deviceName: string;
  /** undefined when the element is absent; '' for the empty PASSWORD of null-string authentication */
  password?: string;
  certificate?: FramedCertificate;
  signedData?: Buffer;
  sha2SignedData?: HashTagged;
}

export function parseAuthResponse(m: CapfMessage): Decoded<ParsedAuthResponse> {
  const reason = optionalU8(m, Element.REASON);
  if (!reason.ok) return reason;
  const version = requiredU8(m, Element.VERSION);
  if (!version.ok) return version;
  const nameEl = required(m, Element.DEVICE_NAME);
  if (!nameEl.ok) return nameEl;
  const deviceName = readCString(nameEl.value);
  if (!deviceName.ok) return deviceName;
  const out: ParsedAuthResponse = { reason: reason.value, version: version.value, deviceName: deviceName.value };
  const pw = single(m, Element.PASSWORD);
  if (!pw.ok) return pw;
  if (pw.value) {
    const s = readCString(pw.value);
    if (!s.ok) return s;
    out.password = s.value;
  }
  const cert = single(m, Element.CERTIFICATE);
  if (!cert.ok) return cert;
  if (cert.value) {
    const framed = decodeCertificateValue(cert.value.value);
    if (!framed.ok) return framed;
    out.certificate = framed.value;
  }
  const signed = single(m, Element.SIGNED_DATA);
  if (!signed.ok) return signed;
  if (signed.value) out.signedData = signed.value.value;
  const sha2 = single(m, Element.SHA2_SIGNED_DATA);
  if (!sha2.ok) return sha2;
  if (sha2.value) {
    const tagged = decodeHashTagged(sha2.value.value);
    if (!tagged.ok) return tagged;
    out.sha2SignedData = tagged.value;
  }
  return ok(out);
}

export function parseKeygenRequest(m: CapfMessage): Decoded<KeyRequest> {
  const keyType = optionalU8(m, Element.KEY_TYPE);
  if (!keyType.ok) return keyType;
  if (keyType.value === undefined || keyType.value === KeyType.RSA) {
    const size = required(m, Element.KEY_SIZE);
    if (!size.ok) return size;
    const bits = readU16(size.value);
    if (!bits.ok) return bits;
    return ok({ keyType: 'RSA', keySize: bits.value });
  }
  if (keyType.value === KeyType.EC) {
    const curve = requiredU8(m, Element.CURVE);
    if (!curve.ok) return curve;
    const name = CURVE_BY_CODE[curve.value];
    return name ? ok({ keyType: 'EC', curve: name }) : fail('bad-element-value', `CURVE ${curve.value} is not 0 (secp256r1), 1 (secp384r1) or 2 (secp521r1)`);
  }
  return fail('bad-element-value', `KEY_TYPE ${keyType.value} is not 0 (RSA) or 1 (EC)`);
}

export interface ParsedKeygenResponse {
  /** SubjectPublicKeyInfo DER */
  publicKey?: Buffer;
  reason?: number;
}

export function parseKeygenResponse(m: CapfMessage): Decoded<ParsedKeygenResponse> {
  const reason = optionalU8(m, Element.REASON);
  if (!reason.ok) return reason;
  const key = single(m, Element.PUBLIC_KEY);
  if (!key.ok) return key;
  if (!key.value && reason.value === undefined) return fail('missing-element', 'KEYGEN_RESP carries neither PUBLIC_KEY nor REASON');
  return ok({ publicKey: key.value?.value, reason: reason.value });
}

export function parseCertificateMessage(m: CapfMessage): Decoded<{ reason?: number; certificate?: FramedCertificate }> {
  const reason = optionalU8(m, Element.REASON);
  if (!reason.ok) return reason;
  const cert = single(m, Element.CERTIFICATE);
  if (!cert.ok) return cert;
  if (!cert.value) return ok({ reason: reason.value });
  const framed = decodeCertificateValue(cert.value.value);
  return framed.ok ? ok({ reason: reason.value, certificate: framed.value }) : framed;
}

/** STORE_CERT_RESP, DELETE_CERT_RESP and END_SESSION carry a single REASON. */
export function parseReason(m: CapfMessage): Decoded<number> {
  return requiredU8(m, Element.REASON);
}
