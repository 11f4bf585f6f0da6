/**
 * What an emulated phone holds: its name, its MIC (factory certificate) and possibly an LSC, each with its
 * private key, and where a newly installed LSC goes. A phone folder keeps them as PEM files, keys mode 0600.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { toPem } from '../../core/cert/pem';
import { writeFileAtomicAsync, writeSecretAtomicAsync } from '../../core/fs/atomicWriteAsync';

export interface Credential {
  der: Buffer;
  key: KeyObject;
}

export interface PhoneIdentity {
  name: string;
  mic?: Credential;
  lsc?: Credential;
}

/** Where the phone keeps an LSC it installs and forgets one it deletes. */
export interface PhoneStore {
  saveLsc(c: Credential): Promise<void>;
  deleteLsc(): Promise<void>;
}

/** Keeps nothing beyond the run (the benchmark, one-off phones). */
export const memoryOnlyStore: PhoneStore = {
  saveLsc: async () => undefined,
  deleteLsc: async () => undefined,
};

const FILES = { mic: 'mic.pem', micKey: 'mic.key.pem', lsc: 'lsc.pem', lscKey: 'lsc.key.pem' } as const;

/** A phone's folder: mic.pem, mic.key.pem, lsc.pem, lsc.key.pem. */
export class PhoneFolder implements PhoneStore {
  constructor(readonly dir: string) {}

  /** Loads what the folder holds; a half-present pair (certificate without key) is an error. */
  load(name: string): PhoneIdentity {
    return { name, mic: this.read(FILES.mic, FILES.micKey), lsc: this.read(FILES.lsc, FILES.lscKey) };
  }

  async saveMic(c: Credential): Promise<void> {
    await writeSecretAtomicAsync(path.join(this.dir, FILES.micKey), exportKey(c.key));
    await writeFileAtomicAsync(path.join(this.dir, FILES.mic), toPem('CERTIFICATE', c.der));
  }

  async saveLsc(c: Credential): Promise<void> {
    await writeSecretAtomicAsync(path.join(this.dir, FILES.lscKey), exportKey(c.key));
    await writeFileAtomicAsync(path.join(this.dir, FILES.lsc), toPem('CERTIFICATE', c.der));
  }

  async deleteLsc(): Promise<void> {
    await fsp.rm(path.join(this.dir, FILES.lsc), { force: true });
    await fsp.rm(path.join(this.dir, FILES.lscKey), { force: true });
  }

  private read(certFile: string, keyFile: string): Credential | undefined {
    const c = path.join(this.dir, certFile);
    const k = path.join(this.dir, keyFile);
    const haveCert = fs.existsSync(c);
    const haveKey = fs.existsSync(k);
    if (!haveCert && !haveKey) return undefined;
    if (!haveCert || !haveKey) throw new Error(`${haveCert ? k : c} is missing: the phone's ${certFile} and ${keyFile} belong together`);
    return { der: new X509Certificate(fs.readFileSync(c)).raw, key: createPrivateKey(fs.readFileSync(k)) };
  }
}

function exportKey(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }) as string;
}
