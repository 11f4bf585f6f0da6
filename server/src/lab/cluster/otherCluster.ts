/** A second lab cluster (another site, its own keys): the cluster phones migrate to in the migration scenarios. */
import { KeyObject } from 'node:crypto';
import { CAPF_EXTENSIONS, ClusterCert, SERVER_EXTENSIONS, selfSigned } from './referenceCluster';

/** A second cluster (another site, other keys): the target of a migration. */
export interface OtherCluster {
  itlRecovery: ClusterCert;
  callManager: ClusterCert;
  capf: ClusterCert;
  tvs: ClusterCert;
}

export function makeOtherCluster(now: Date, keys: Record<string, KeyObject>): OtherCluster {
  const cert = (name: string, cn: string, key: KeyObject, ext = SERVER_EXTENSIONS) => ({
    name,
    key,
    der: selfSigned({ cn, key, now, serialSeed: name, notBeforeDays: -30, notAfterDays: 5 * 365, extensions: ext }),
  });
  return {
    itlRecovery: cert('ITLRecovery-b', 'ITLRECOVERY_cl2pub', keys['itlrecovery-b']),
    callManager: cert('CallManager-b', 'cl2pub', keys['callmanager-b']),
    capf: cert('CAPF-b', 'CAPF-2b1c0d9e', keys['capf-b'], CAPF_EXTENSIONS),
    tvs: cert('TVS-b', 'cl2pub', keys['tvs-b']),
  };
}
