/**
 * The lab's own certificates: the CAPF certificate (what CUCM calls CAPF, RSA 2048, CA:TRUE pathlen 0,
 * keyUsage digitalSignature + keyCertSign as 14SU2+ requires), the lab manufacturing CA standing in for
 * Cisco's, and the MICs it signs for emulated phones.
 */
import { createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import { issueCertificate, serialFrom } from '../../../core/cert/issueCertificate';
import { CAPF_EXTENSIONS } from '../../cluster/referenceCluster';
import { Issuer } from './issuer';

const DAY = 86_400_000;
/** Backdating absorbs small clock differences between the lab server and phones. */
const BACKDATE_MS = 60 * 60 * 1000;

export const LAB_SITE = 'OU=ITL Lens Lab;O=ITL Lens;L=Loopback;ST=Lab;C=US';
export const MANUFACTURING_CA_SUBJECT = 'CN=ITL Lens Lab Manufacturing CA;O=ITL Lens Lab';

export function createCapfCertificate(key: KeyObject, now: Date, cn = `CAPF-${randomBytes(4).toString('hex')}`, days = 5 * 365): Buffer {
  return issueCertificate({
    subject: `CN=${cn};${LAB_SITE}`,
    publicKey: createPublicKey(key),
    signingKey: key,
    serial: serialFrom(undefined),
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + days * DAY),
    hash: 'sha256',
    extensions: CAPF_EXTENSIONS,
  });
}

export function createManufacturingCa(key: KeyObject, now: Date): Buffer {
  return issueCertificate({
    subject: MANUFACTURING_CA_SUBJECT,
    publicKey: createPublicKey(key),
    signingKey: key,
    serial: serialFrom(undefined),
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + 20 * 365 * DAY),
    hash: 'sha256',
    extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature'], subjectKeyIdentifier: true },
  });
}

/** A MIC like a phone's factory certificate: CN=<model>-<device>, 10 years [F ucm.nz], signed by the lab CA. */
export function issueMic(ca: Issuer, deviceName: string, publicKey: KeyObject, now: Date, model = 'CP-8841'): Buffer {
  return issueCertificate({
    subject: `CN=${model}-${deviceName};OU=Lab Phones;O=ITL Lens Lab`,
    issuerDer: ca.cert.subject.der,
    publicKey,
    signingKey: ca.key,
    serial: serialFrom(undefined),
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + 10 * 365 * DAY),
    hash: 'sha256',
    extensions: {
      basicConstraints: { ca: false },
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extKeyUsage: ['clientAuth'],
      authorityKey: ca.key,
    },
  });
}
