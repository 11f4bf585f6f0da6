/**
 * The reference cluster: a CUCM-like cluster's certificates, shaped like the install guide's `show itl` output
 * (ao115pub / ao115sub), and its ITL. The lab builds its cluster around it; the test fixtures are written from it.
 */
import { KeyObject, createPublicKey } from 'node:crypto';
import { issueCertificate, serialFrom, ExtensionSpec } from '../../core/cert/issueCertificate';
import { BuildOptions, RecordSpec } from '../../core/tlv/build';

const DAY = 86_400_000;
export const SITE = 'OU=TAC;O=Cisco Systems;L=Boxborough;ST=MA;C=US';

export interface ClusterCert {
  name: string;
  der: Buffer;
  key: KeyObject;
}

export interface SelfSignedSpec {
  cn: string;
  key: KeyObject;
  now: Date;
  /** days from `now`; negative means in the past */
  notBeforeDays: number;
  notAfterDays: number;
  hash?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  extensions?: ExtensionSpec;
  serialSeed?: string;
}

export function selfSigned(s: SelfSignedSpec): Buffer {
  return issueCertificate({
    subject: `CN=${s.cn};${SITE}`,
    publicKey: createPublicKey(s.key),
    signingKey: s.key,
    serial: serialFrom(s.serialSeed ?? `${s.cn}|${s.notAfterDays}`),
    notBefore: new Date(s.now.getTime() + s.notBeforeDays * DAY),
    notAfter: new Date(s.now.getTime() + s.notAfterDays * DAY),
    hash: s.hash ?? (s.key.asymmetricKeyType === 'ec' ? 'sha384' : 'sha256'),
    extensions: s.extensions,
    deterministic: true,
  });
}

export const CAPF_EXTENSIONS: ExtensionSpec = {
  basicConstraints: { ca: true, pathLength: 0 },
  keyUsage: ['digitalSignature', 'keyCertSign'],
  extKeyUsage: ['serverAuth', 'clientAuth', 'ipsecEndSystem'],
  subjectKeyIdentifier: true,
};

export const SERVER_EXTENSIONS: ExtensionSpec = {
  basicConstraints: { ca: true },
  keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign'],
  extKeyUsage: ['serverAuth', 'clientAuth', 'ipsecEndSystem'],
  subjectKeyIdentifier: true,
};

export interface Cluster {
  itlRecovery: ClusterCert;
  callManagerSub: ClusterCert;
  callManagerPub: ClusterCert;
  callManagerSubEc: ClusterCert;
  capf: ClusterCert;
  tvsPub: ClusterCert;
  tvsSub: ClusterCert;
}

/** The reference cluster's certificates, valid at `now`, CAPF valid for `capfDaysLeft` more days. */
export function makeCluster(now: Date, keys: Record<string, KeyObject>, capfDaysLeft = 1460): Cluster {
  const cert = (name: string, cn: string, key: KeyObject, before: number, after: number, ext: ExtensionSpec, dnsSan?: string) => ({
    name,
    key,
    der: selfSigned({ cn, key, now, serialSeed: name, notBeforeDays: before, notAfterDays: after, extensions: dnsSan ? { ...ext, subjectAltName: [`DNS:${dnsSan}`] } : ext }),
  });
  return {
    itlRecovery: cert('ITLRecovery', 'ITLRECOVERY_ao115pub', keys.itlrecovery, -400, 20 * 365 - 400, SERVER_EXTENSIONS),
    callManagerSub: cert('CallManager', 'ao115sub', keys['callmanager-sub'], -400, 5 * 365 - 400, SERVER_EXTENSIONS, 'ao115sub'),
    callManagerPub: cert('CallManager-pub', 'ao115pub', keys['callmanager-pub'], -400, 5 * 365 - 400, SERVER_EXTENSIONS, 'ao115pub'),
    callManagerSubEc: cert('CallManager-ECDSA', 'ao115sub-EC', keys['callmanager-sub-ec'], -400, 5 * 365 - 400, SERVER_EXTENSIONS, 'ao115sub'),
    capf: cert('CAPF', 'CAPF-7f0ae8d7', keys.capf, -400, capfDaysLeft, CAPF_EXTENSIONS),
    tvsPub: cert('TVS-ao115pub', 'ao115pub', keys['tvs-pub'], -400, 5 * 365 - 400, SERVER_EXTENSIONS),
    tvsSub: cert('TVS-ao115sub', 'ao115sub', keys['tvs-sub'], -400, 5 * 365 - 400, SERVER_EXTENSIONS),
  };
}

/** The seven records of the reference `show itl` output, in its order. */
export function referenceRecords(c: Cluster, capfDer = c.capf.der): RecordSpec[] {
  return [
    { role: 4, certificate: capfDer, hashOnly: true },
    { role: 21, certificate: c.tvsPub.der, hashOnly: true },
    { role: 0, certificate: c.itlRecovery.der },
    { role: 21, certificate: c.tvsSub.der, hashOnly: true },
    { role: 0, certificate: c.callManagerSub.der },
    { role: 3, certificate: c.callManagerSub.der },
    { role: 3, certificate: c.callManagerSubEc.der, dnsName: 'ao115sub' },
  ];
}

export function referenceItlOptions(c: Cluster, now: Date, records = referenceRecords(c)): BuildOptions {
  return {
    signerCertificate: c.callManagerSub.der,
    signerKey: c.callManagerSub.key,
    records,
    digest: 'sha1',
    signerVersion: '1.1',
    filename: 'ITLFile.tlv',
    timestamp: new Date(now.getTime() - DAY),
  };
}
