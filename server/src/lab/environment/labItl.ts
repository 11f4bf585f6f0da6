/**
 * The lab's ITL: a cluster shaped like the install guide's `show itl` (ITLRecovery, CallManager RSA and EC,
 * two TVS, CAPF) whose CAPF record carries this lab's CAPF certificate (hash-only, as CUCM writes it).
 * The cluster keys are generated once into the lab folder (mode 0600) and reused.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createPrivateKey, KeyObject } from 'node:crypto';
import { CAPF_ROLE, buildTrustList } from '../../core/tlv';
import { makeCluster } from '../cluster/referenceCluster';
import { FIXTURE_KEYS } from '../cluster/clusterKeys';
import { referenceItlOptions, referenceRecords } from '../cluster/referenceCluster';
import { KeySpec } from '../model/keys';
import { writeFileAtomicAsync, writeSecretAtomicAsync } from '../../core/fs/atomicWriteAsync';
import { LabState } from '../capf/service/labState';

/** The reference cluster's keys (the lab's own, generated on first use), with the fixture generator's specs. */
const CLUSTER_KEY_NAMES = ['itlrecovery', 'callmanager-sub', 'callmanager-pub', 'callmanager-sub-ec', 'tvs-pub', 'tvs-sub'];
export const CLUSTER_KEYS: Record<string, KeySpec> = Object.fromEntries(CLUSTER_KEY_NAMES.map((name) => [name, FIXTURE_KEYS[name]]));

/** The cluster keys named in `specs` (default the reference cluster's), each generated once into cluster/keys/ (0600). */
export async function loadClusterKeys(state: LabState, specs: Record<string, KeySpec> = CLUSTER_KEYS): Promise<Record<string, KeyObject>> {
  const dir = state.paths.clusterKeysDir;
  const entries = await Promise.all(
    Object.entries(specs).map(async ([name, spec]) => {
      const file = path.join(dir, `${name}.key.pem`);
      if (fs.existsSync(file)) return [name, createPrivateKey(await fsp.readFile(file))] as const;
      const key = await state.keySource(spec, `cluster:${name}`);
      await writeSecretAtomicAsync(file, key.export({ format: 'pem', type: 'pkcs8' }) as string);
      return [name, key] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export interface LabItlOptions {
  /** the CAPF certificate to put in the CAPF record; default the lab's current one */
  capfDer?: Buffer;
  /** false builds an ITL without a CAPF record (CAPF service not activated) */
  withCapfRecord?: boolean;
  /** write it to tftp/ITLFile.tlv (default true) */
  write?: boolean;
}

export async function buildLabItl(state: LabState, o: LabItlOptions = {}): Promise<Buffer> {
  const keys = await loadClusterKeys(state);
  const now = state.clock();
  const cluster = makeCluster(now, { ...keys, capf: state.capf.key });
  const records = referenceRecords(cluster, o.capfDer ?? state.capf.der).filter((r) => o.withCapfRecord !== false || r.role !== CAPF_ROLE);
  const itl = buildTrustList(referenceItlOptions(cluster, now, records));
  if (o.write !== false) await writeFileAtomicAsync(state.paths.itl, itl);
  return itl;
}
