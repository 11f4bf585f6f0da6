/**
 * A certificate and its private key kept as two PEM files (the CAPF certificate, the lab manufacturing CA,
 * the TVS certificate): loaded when both are there, generated on first use when neither is, an error when
 * one is missing (a lone key or certificate is never silently replaced: phones may trust it). Keys 0600.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { writeFileAtomicAsync, writeSecretAtomicAsync } from '../../../core/fs/atomicWriteAsync';
import { Issuer, makeIssuer } from './issuer';

export class IssuerFilesError extends Error {}

export async function loadOrCreate(certFile: string, keyFile: string, what: string, create: () => Promise<{ der: Buffer; key: KeyObject }>): Promise<Issuer> {
  const haveCert = fs.existsSync(certFile);
  const haveKey = fs.existsSync(keyFile);
  if (!haveCert && !haveKey) {
    const { der, key } = await create();
    const issuer = makeIssuer(der, key);
    await writeIssuer(certFile, keyFile, issuer);
    return issuer;
  }
  if (!haveCert || !haveKey) {
    throw new IssuerFilesError(`the ${what} is incomplete: ${haveCert ? keyFile : certFile} is missing. Restore it, or delete ${haveCert ? certFile : keyFile} to generate a new pair (phones will then need a new ITL).`);
  }
  try {
    await fsp.chmod(keyFile, 0o600);
    const der = new X509Certificate(await fsp.readFile(certFile)).raw;
    const key = createPrivateKey(await fsp.readFile(keyFile));
    return makeIssuer(der, key);
  } catch (e) {
    throw new IssuerFilesError(`cannot load the ${what} from ${certFile} and ${keyFile}: ${(e as Error).message}`);
  }
}

export async function writeIssuer(certFile: string, keyFile: string, issuer: Issuer): Promise<void> {
  await writeSecretAtomicAsync(keyFile, issuer.key.export({ format: 'pem', type: 'pkcs8' }) as string);
  await writeFileAtomicAsync(certFile, issuer.pem);
}
