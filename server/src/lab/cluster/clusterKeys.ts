/**
 * The fixture generator's keys. They are generated once and checked in under test-fixtures/keys, so that
 * the fixtures are byte-for-byte reproducible for a given clock (RSA PKCS#1 v1.5 and RFC 6979 ECDSA are
 * deterministic). Missing keys are generated on demand.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPrivateKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { writeSecretAtomic } from '../../core/fs/atomicWrite';
import type { KeySpec } from '../model/keys';

export const FIXTURE_KEYS: Record<string, KeySpec> = {
  itlrecovery: { type: 'rsa', bits: 2048 },
  'callmanager-sub': { type: 'rsa', bits: 2048 },
  'callmanager-pub': { type: 'rsa', bits: 2048 },
  'callmanager-sub-ec': { type: 'ec', curve: 'P-384' },
  capf: { type: 'rsa', bits: 2048 },
  'capf-regenerated': { type: 'rsa', bits: 2048 },
  'tvs-pub': { type: 'rsa', bits: 2048 },
  'tvs-sub': { type: 'rsa', bits: 2048 },
  foreign: { type: 'rsa', bits: 2048 },
  'weak-1024': { type: 'rsa', bits: 1024 },
  'ec-p256': { type: 'ec', curve: 'P-256' },
  'ec-p521': { type: 'ec', curve: 'P-521' },
  'cert-rsa': { type: 'rsa', bits: 2048 },
  // The trust-continuity scenarios (fixtures/trustScenarios.ts): a second cluster, a re-signed ITL, a phone LSC.
  'itlrecovery-regenerated': { type: 'rsa', bits: 2048 },
  'itlrecovery-b': { type: 'rsa', bits: 2048 },
  'callmanager-b': { type: 'rsa', bits: 2048 },
  'tvs-b': { type: 'rsa', bits: 2048 },
  'capf-b': { type: 'rsa', bits: 2048 },
  'phone-lsc': { type: 'rsa', bits: 2048 },
};

const NODE_CURVES = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;

export function generateKey(spec: KeySpec): KeyObject {
  return spec.type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 }).privateKey
    : generateKeyPairSync('ec', { namedCurve: NODE_CURVES[spec.curve] }).privateKey;
}

export function loadFixtureKeys(dir: string): Record<string, KeyObject> {
  const out: Record<string, KeyObject> = {};
  for (const [name, spec] of Object.entries(FIXTURE_KEYS)) {
    const file = path.join(dir, `${name}.key.pem`);
    if (fs.existsSync(file)) out[name] = createPrivateKey(fs.readFileSync(file));
    else {
      out[name] = generateKey(spec);
      writeSecretAtomic(file, out[name].export({ format: 'pem', type: 'pkcs8' }) as string);
    }
  }
  return out;
}
