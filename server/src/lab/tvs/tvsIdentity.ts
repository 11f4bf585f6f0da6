/**
 * The lab TVS's own certificate and key, which it presents over TLS and which phones must find in the TVS
 * records of their ITL [F part F]: `<lab>/tvs/tvs.pem` and `<lab>/tvs/tvs.key.pem` (0600), generated on first
 * use like the CAPF certificate (lab/capf/service/issuerFiles.ts), or the user's own.
 */
import { createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Clock, systemClock } from '../../core/time/clock';
import { generateKey, KeySource } from '../model/keys';
import { Issuer } from '../capf/service/issuer';
import { loadOrCreate } from '../capf/service/issuerFiles';
import { LAB_SITE } from '../capf/service/labCertificates';
import { issueCertificate, serialFrom } from '../../core/cert/issueCertificate';
import { SERVER_EXTENSIONS } from '../cluster/referenceCluster';
import { TVS_STORE_FILE } from './tvsStore';

const DAY = 86_400_000;

export interface TvsPaths {
  dir: string;
  cert: string;
  key: string;
  store: string;
}

export function tvsPaths(labDir: string): TvsPaths {
  const dir = path.join(path.resolve(labDir), 'tvs');
  return { dir, cert: path.join(dir, 'tvs.pem'), key: path.join(dir, 'tvs.key.pem'), store: path.join(dir, TVS_STORE_FILE) };
}

/** Self-signed like CUCM's TVS certificate [I: CUCM's is self-signed unless CA-signed], 5 years, backdated an hour. */
export function createTvsCertificate(key: KeyObject, now: Date, cn = `TVS-${randomBytes(4).toString('hex')}`): Buffer {
  return issueCertificate({
    subject: `CN=${cn};${LAB_SITE}`,
    publicKey: createPublicKey(key),
    signingKey: key,
    serial: serialFrom(undefined),
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + 5 * 365 * DAY),
    hash: 'sha256',
    extensions: SERVER_EXTENSIONS,
  });
}

/** The lab's TVS certificate and key, made on first use. */
export function loadOrCreateTvsIdentity(labDir: string, o: { clock?: Clock; keySource?: KeySource } = {}): Promise<Issuer> {
  const p = tvsPaths(labDir);
  const clock = o.clock ?? systemClock;
  return loadOrCreate(p.cert, p.key, 'TVS certificate', async () => {
    const key = await (o.keySource ?? generateKey)({ type: 'rsa', bits: 2048 }, 'tvs');
    return { der: createTvsCertificate(key, clock()), key };
  });
}
