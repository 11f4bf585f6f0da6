/**
 * Code tables of the CAPF wire protocol (reference part B). Every value here is [F] from the public
 * capfd/capfc daemons and the Jabber4Linux capture unless marked otherwise in docs/capf-lab.md.
 */

/** First byte of every message header. */
export const PROTOCOL_ID = 0x55;
/** The VERSION element value CAPF servers send; clients have been seen answering 2 (Jabber) or 3. */
export const PROTOCOL_VERSION = 3;
/** protocol id (1) + command (1) + session id (4) + body length (2) */
export const HEADER_LENGTH = 8;
/** element tag (1) + length (2) */
export const ELEMENT_HEADER_LENGTH = 3;
/** The u16 body-length field's ceiling. */
export const MAX_BODY_LENGTH = 0xffff;
/** Default cap on one message (header + body) accepted by our framer: certificates and keys fit easily. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024;
/** The IANA-unregistered port CUCM's CAPF service listens on. */
export const CAPF_PORT = 3804;

export const Command = {
  AUTH_REQ: 1,
  AUTH_RESP: 2,
  KEYGEN_REQ: 3,
  KEYGEN_RESP: 4,
  ENCRYPT_RESP: 5,
  ENCRYPT_REQ: 6,
  DECRYPT_REQ: 7,
  DECRYPT_RESP: 8,
  STORE_CERT_REQ: 9,
  STORE_CERT_RESP: 10,
  FETCH_CERT_REQ: 11,
  FETCH_CERT_RESP: 12,
  DELETE_CERT_REQ: 13,
  DELETE_CERT_RESP: 14,
  END_SESSION: 15,
  RETRY_LATER: 16,
  REQUEST_IN_PROGRESS: 17,
  STATUS_REQ: 18,
  STATUS_RESP: 19,
  ABORT_REQ: 20,
  ABORT_RESP: 21,
  SIGN_CERT_REQ: 22,
  SIGN_CERT_RESP: 23,
} as const;
export type CommandCode = (typeof Command)[keyof typeof Command];

export const Element = {
  REASON: 1,
  REASON_INFO: 2,
  CERT_TYPE: 3,
  CERTIFICATE: 4,
  CERT_ID: 5,
  SIGNED_DATA: 6,
  VERSION: 7,
  AUTH_TYPE: 8,
  PUBLIC_KEY: 9,
  KEY_SIZE: 10,
  PASSWORD: 11,
  RETRY_DELAY: 12,
  DEVICE_NAME: 13,
  SUDI_DATA: 16,
  KEY_TYPE: 17,
  CURVE: 18,
  DIGEST_TYPE: 19,
  SHA2_SIGNED_DATA: 20,
} as const;
export type ElementTag = (typeof Element)[keyof typeof Element];

export const Reason = {
  /** nothing to do (no operation scheduled; also ends a fetch) */
  NO_ACTION: 0,
  /** update certificate / OK */
  OK: 1,
  /** capfd's generic failure: invalid element, wrong password, invalid certificate… */
  INVALID_ELEMENT: 7,
  UNKNOWN_DEVICE: 9,
} as const;

export const AuthType = {
  NONE: 0,
  /** By Authentication String */
  PASSWORD: 1,
  /** By Null String */
  NO_PASSWORD: 2,
  /** By Existing Certificate (precedence to LSC): LSC with MIC fallback */
  LSC: 3,
  /** By Existing Certificate (precedence to MIC) */
  MIC: 4,
} as const;

export const CertType = {
  LSC: 1,
  MIC: 2,
} as const;

export const KeyType = {
  RSA: 0,
  EC: 1,
} as const;

export const Curve = {
  SECP256R1: 0,
  SECP384R1: 1,
  SECP521R1: 2,
} as const;

/** Hash codes used inside SHA2_SIGNED_DATA (the same table as the .tlv HASH_ALGORITHM). */
export const HashCode = {
  SHA1: 1,
  SHA256: 2,
  SHA512: 3,
} as const;

export type CurveName = 'P-256' | 'P-384' | 'P-521';
export const CURVE_BY_CODE: Record<number, CurveName> = { 0: 'P-256', 1: 'P-384', 2: 'P-521' };
export const CODE_BY_CURVE: Record<CurveName, number> = { 'P-256': 0, 'P-384': 1, 'P-521': 2 };
/** OpenSSL names for Node's generateKeyPair. */
export const NODE_CURVE: Record<CurveName, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

export const COMMAND_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Command).map(([k, v]) => [v, k]));
export const ELEMENT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Element).map(([k, v]) => [v, k]));
export const REASON_NAMES: Record<number, string> = {
  0: 'no action',
  1: 'OK / update certificate',
  7: 'invalid element / operation failed',
  9: 'unknown device',
};

export function commandName(code: number): string {
  return COMMAND_NAMES[code] ?? `UNKNOWN_COMMAND(${code})`;
}

export function elementName(tag: number): string {
  return ELEMENT_NAMES[tag] ?? `UNKNOWN_ELEMENT(${tag})`;
}
