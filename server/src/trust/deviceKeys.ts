/**
 * The device keys and certificates an editor can find for an encrypted configuration (.enc.sgn): PEM files
 * beside it, and the lab's phones (`<lab>/phones/<device>/lsc.key.pem`, `mic.key.pem`, with their
 * certificates). A phone decrypts its configuration with the private key of the certificate CUCM wrapped the
 * content key to (reference part E); here every key found is tried, and the one that unwraps it is named.
 */
import { createPrivateKey, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCertificateFile } from '../core/cert/certificateFile';
import { decryptSignedFile } from '../core/sgn/decrypt';
import { SignedFile } from '../core/sgn/model';
import { DEFAULT_LAB_DIR } from '../lab/model/labLayout';

export interface FoundKeys {
  keys: Array<{ name: string; key: KeyObject }>;
  certificates: Array<{ name: string; der: Buffer }>;
}

/** At most this many files are read per folder (a folder of thousands of PEM files is not a phone's). */
const MAX_FILES_PER_FOLDER = 200;
const MAX_PEM_BYTES = 64 * 1024;

function pemFilesIn(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => /\.(pem|key|crt|cer)$/i.test(n))
      .slice(0, MAX_FILES_PER_FOLDER)
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

function readFrom(files: string[], into: FoundKeys, label: (f: string) => string): void {
  for (const f of files) {
    let bytes: Buffer;
    try {
      const st = fs.statSync(f);
      if (!st.isFile() || st.size > MAX_PEM_BYTES) continue;
      bytes = fs.readFileSync(f);
    } catch {
      continue;
    }
    const text = bytes.toString('utf8');
    if (/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text)) {
      try {
        into.keys.push({ name: label(f), key: createPrivateKey(text) });
      } catch {
        /* not a key we can use */
      }
    }
    for (const e of decodeCertificateFile(bytes).entries) if (e.result.ok) into.certificates.push({ name: label(f), der: e.result.certificate.der });
  }
}

/** Keys and certificates beside `file` and in the lab folders of the workspace folders. */
export function deviceKeysFor(file: string, folders: readonly string[]): FoundKeys {
  const found: FoundKeys = { keys: [], certificates: [] };
  readFrom(pemFilesIn(path.dirname(file)), found, (f) => path.basename(f));
  for (const folder of folders) {
    const phones = path.join(folder, DEFAULT_LAB_DIR, 'phones');
    let devices: string[] = [];
    try {
      devices = fs.readdirSync(phones).slice(0, MAX_FILES_PER_FOLDER);
    } catch {
      continue;
    }
    for (const d of devices) readFrom(pemFilesIn(path.join(phones, d)), found, (f) => `${DEFAULT_LAB_DIR}/phones/${d}/${path.basename(f)}`);
  }
  return found;
}

/** The plaintext of an encrypted configuration with the first key that unwraps it, and that key's name. */
export function decryptWithFound(file: SignedFile, found: FoundKeys): { plaintext: Buffer; keyName: string } | undefined {
  if (!file.encryption) return undefined;
  for (const k of found.keys) {
    const r = decryptSignedFile(file, k.key);
    if (r.ok) return { plaintext: r.plaintext, keyName: k.name };
  }
  return undefined;
}
