/**
 * The LSC the lab CAPF issues, as capfd does [F reference part B, "LSC that capfd issues"]: subject CN = the
 * device name plus O, OU, L, ST and C copied from the CAPF subject; random 128-bit serial; SHA-256;
 * basicConstraints CA:FALSE (critical); keyUsage digitalSignature + keyEncipherment (critical); EKU serverAuth,
 * clientAuth, IPsec End System; SAN URI = device name. Unlike capfd, the issuer is the CAPF certificate's
 * SUBJECT (capfd copies the CAPF's issuer field, which is right only for a self-signed CAPF).
 */
import { createHash, createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import { hexColon } from '../../../core/cert/decodeCertificate';
import { describeKey } from '../../model/keys';
import { deviceNameProblem } from '../../model/deviceTable';
import { IssuedLscSummary } from '../../model/issuedLsc';
import { LscFields, buildLsc, buildLscAsync, lscSubjectText } from './lscCertificate';
import { Issuer } from './issuer';

const DAY = 86_400_000;
export const LSC_VALIDITY_DAYS = { default: 365, min: 1, max: 3560 } as const;

export function checkValidityDays(days: number): void {
  if (!Number.isInteger(days) || days < LSC_VALIDITY_DAYS.min || days > LSC_VALIDITY_DAYS.max) {
    throw new RangeError(`LSC validity must be a whole number of days from ${LSC_VALIDITY_DAYS.min} to ${LSC_VALIDITY_DAYS.max}; got ${days}`);
  }
}

/** Serials are cut from a pool of random bytes refilled 4 KiB at a time: one DRBG call per 256 serials. */
let serialPool = Buffer.alloc(0);
let serialPoolAt = 0;

function randomSerial(): Buffer {
  for (;;) {
    if (serialPoolAt + 16 > serialPool.length) {
      serialPool = randomBytes(4096);
      serialPoolAt = 0;
    }
    const b = Buffer.from(serialPool.subarray(serialPoolAt, (serialPoolAt += 16))); // a copy: the pool is reused
    if (b.some((x) => x !== 0)) return b;
  }
}

export interface IssuedLsc {
  der: Buffer;
  /** what the device table records, computed from the issuing inputs (equal to summarizeCertificate(der)) */
  summary: IssuedLscSummary;
}

/** Certificates carry whole seconds. */
const toSecond = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** The phone's key: a KeyObject, or SubjectPublicKeyInfo DER already checked (spki.ts) with its description. */
export type LscKey = KeyObject | { spki: Buffer; description: string };

/** Issues the LSC for the phone's key. Not before = now, to the second, as capfd does. */
export function issueLsc(capf: Issuer, deviceName: string, key: LscKey, now: Date, validityDays: number = LSC_VALIDITY_DAYS.default): IssuedLsc {
  const p = prepareLsc(capf, deviceName, key, now, validityDays);
  return p.done(buildLsc(capf, p.fields));
}

/** issueLsc with the signature made off the event loop (buildLscAsync): the same profile and summary. */
export async function issueLscAsync(capf: Issuer, deviceName: string, key: LscKey, now: Date, validityDays: number = LSC_VALIDITY_DAYS.default): Promise<IssuedLsc> {
  const p = prepareLsc(capf, deviceName, key, now, validityDays);
  return p.done(await buildLscAsync(capf, p.fields));
}

function prepareLsc(capf: Issuer, deviceName: string, key: LscKey, now: Date, validityDays: number): { fields: LscFields; done: (der: Buffer) => IssuedLsc } {
  checkValidityDays(validityDays);
  if (deviceNameProblem(deviceName)) throw new Error(deviceNameProblem(deviceName));
  const serial = randomSerial();
  const notBefore = toSecond(now);
  const notAfter = toSecond(new Date(now.getTime() + validityDays * DAY));
  const isKeyObject = key instanceof KeyObject;
  const spki = isKeyObject ? (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' }) : key.spki;
  return {
    fields: { deviceName, spki, serial, notBefore, notAfter },
    done: (der) => ({
      der,
      summary: {
        serialNumber: hexColon(serial.subarray(serial.findIndex((b) => b !== 0))), // as decoders print it: no leading zero bytes
        subject: lscSubjectText(capf, deviceName),
        issuer: capf.cert.subject.rfc4514,
        notBefore: notBefore.toISOString(),
        notAfter: notAfter.toISOString(),
        publicKey: isKeyObject ? describeKey(key) : key.description,
        sha1: hexColon(createHash('sha1').update(der).digest()),
      },
    }),
  };
}
