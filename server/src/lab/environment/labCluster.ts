/**
 * The cluster the lab's TFTP server serves (reference parts E–G; docs/phone-boot.md): in `<lab>/tftp/`
 *   ITLFile.tlv           signed by the ITLRecovery key (SAST; CUCM 12.0 on [F SBD, ITL reset]) — or by the
 *                         CallManager key (`utils itl reset localkey` [F ITL reset]); records: CAPF (the lab's
 *                         CAPF certificate, hash-only), TVS (the lab's TVS certificate, hash-only), SAST
 *                         ITLRecovery, SAST + TFTP CallManager
 *   CTLFile.tlv           optional (mixed mode): SAST ITLRecovery, CCM+TFTP CallManager, CAPF
 *   SEP<MAC>.cnf.xml.sgn  per device, signed by the TFTP (CallManager) certificate; capfList = the lab's CAPF
 *                         server, capfAuthMode from the device table (0 when no operation is pending)
 * and the lab TVS store (`<lab>/tvs/tvs-store.json`) with the cluster's certificates and roles. Cluster "b" is a
 * second cluster with its own keys (a migration target). Certificates are dated from the start of the UTC day,
 * so rebuilding the same day yields the same certificates.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { KeyObject } from 'node:crypto';
import { buildTrustList, RecordSpec } from '../../core/tlv/build';
import { signFile } from '../../core/sgn/build';
import { writeFileAtomicAsync } from '../../core/fs/atomicWriteAsync';
import { makeCluster, selfSigned, SERVER_EXTENSIONS } from '../cluster/referenceCluster';
import { FIXTURE_KEYS } from '../cluster/clusterKeys';
import { configXml } from '../cluster/configFile';
import { makeOtherCluster } from '../cluster/otherCluster';
import { addToTvsStore } from '../tvs/tvsStore';
import { tvsPaths } from '../tvs/tvsIdentity';
import { DeviceEntry } from '../model/deviceTable';
import { LabState } from '../capf/service/labState';
import { loadClusterKeys } from './labItl';
import { bootFileNames } from '../phone/boot/bootFiles';

const DAY = 86_400_000;

export interface Signer {
  der: Buffer;
  key: KeyObject;
}

export interface LabClusterOptions {
  /** 'a': the lab's own cluster (default); 'b': a second cluster with other keys */
  cluster?: 'a' | 'b';
  /** where capfList sends the phones (the lab's CAPF server) */
  capf: { host: string; port: number };
  devices: string[];
  /** the CAPF record's certificate; default the lab's current CAPF certificate */
  capfDer?: Buffer;
  /** the lab TVS certificate (the ITL's TVS record) */
  tvsDer: Buffer;
  /** the ITLRecovery certificate in the ITL: the original, or a regenerated one the phones do not know */
  itlRecovery?: 'original' | 'regenerated';
  /** who signs the ITL: ITLRecovery (default) or the CallManager key (`utils itl reset localkey`) */
  itlSigner?: 'itlrecovery' | 'callmanager';
  withCtl?: boolean;
  /** who signs the configuration files: the TFTP certificate (default) or one in no record of the ITL */
  configSigner?: 'tftp' | 'foreign';
  /** capfList to write instead of `capf` (e.g. a moved CAPF) */
  configCapf?: { host: string; port: number };
  /** add the cluster's certificates to the lab TVS store (default true) */
  tvsStore?: boolean;
}

export interface LabClusterFiles {
  root: string;
  itl: Buffer;
  ctl?: Buffer;
  configs: Record<string, Buffer>;
  /** the certificates a Bulk Certificate Export of this cluster carries, with their TVS roles */
  exported: Array<{ der: Buffer; roles: string[] }>;
  signers: { itlRecovery: Signer; callManager: Signer };
}

const B_KEYS = ['itlrecovery-b', 'callmanager-b', 'tvs-b', 'capf-b'];
const specs = (names: string[]) => Object.fromEntries(names.map((n) => [n, FIXTURE_KEYS[n]]));

/** capfAuthMode as CUCM writes it for the device's pending operation [I: 0 without one]. */
export function capfAuthModeFor(entry: DeviceEntry | undefined): number {
  if (!entry || entry.certificateOperation === 'No Pending Operation') return 0;
  switch (entry.authenticationMode) {
    case 'By Authentication String':
      return 1;
    case 'By Existing Certificate (precedence to LSC)':
      return 3;
    case 'By Existing Certificate (precedence to MIC)':
      return 4;
    default:
      return 2;
  }
}

/** A certificate of a key made on first use (a regenerated ITLRecovery, a rogue TFTP signer). */
async function extraSigner(state: LabState, keyName: string, cn: string, day: Date): Promise<Signer> {
  const key = (await loadClusterKeys(state, specs([keyName])))[keyName];
  return { der: selfSigned({ cn, key, now: day, serialSeed: keyName, notBeforeDays: -1, notAfterDays: 5 * 365, extensions: SERVER_EXTENSIONS }), key };
}

async function clusterSigners(state: LabState, which: 'a' | 'b', day: Date): Promise<{ itlRecovery: Signer; callManager: Signer }> {
  if (which === 'b') {
    const b = makeOtherCluster(day, await loadClusterKeys(state, specs(B_KEYS)));
    return { itlRecovery: b.itlRecovery, callManager: b.callManager };
  }
  const a = makeCluster(day, { ...(await loadClusterKeys(state)), capf: state.capf.key });
  return { itlRecovery: a.itlRecovery, callManager: a.callManagerSub };
}

export async function buildLabCluster(state: LabState, o: LabClusterOptions): Promise<LabClusterFiles> {
  const day = new Date(Math.floor(state.clock().getTime() / DAY) * DAY);
  const s = await clusterSigners(state, o.cluster ?? 'a', day);
  const recovery = o.itlRecovery === 'regenerated' ? await extraSigner(state, 'itlrecovery-regenerated', 'ITLRECOVERY_ao115pub', day) : s.itlRecovery;
  const capfDer = o.capfDer ?? state.capf.der;
  const records: RecordSpec[] = [
    { role: 4, certificate: capfDer, hashOnly: true },
    { role: 21, certificate: o.tvsDer, hashOnly: true },
    { role: 0, certificate: recovery.der },
    { role: 0, certificate: s.callManager.der },
    { role: 3, certificate: s.callManager.der },
  ];
  const signer = o.itlSigner === 'callmanager' ? s.callManager : recovery;
  const timestamp = state.clock();
  const itl = buildTrustList({ signerCertificate: signer.der, signerKey: signer.key, records, digest: 'sha1', signerVersion: '1.1', filename: 'ITLFile.tlv', timestamp });
  const root = path.dirname(state.paths.itl);
  await writeFileAtomicAsync(path.join(root, 'ITLFile.tlv'), itl);
  let ctl: Buffer | undefined;
  if (o.withCtl) {
    ctl = buildTrustList({
      signerCertificate: recovery.der,
      signerKey: recovery.key,
      digest: 'sha1',
      signerVersion: '1.0',
      filename: 'CTLFile.tlv',
      timestamp,
      records: [{ role: 0, certificate: recovery.der }, { role: 2, certificate: s.callManager.der }, { role: 4, certificate: capfDer }],
    });
    await writeFileAtomicAsync(path.join(root, 'CTLFile.tlv'), ctl);
  } else await fsp.rm(path.join(root, 'CTLFile.tlv'), { force: true });

  const configs: Record<string, Buffer> = {};
  const configSigner = o.configSigner === 'foreign' ? await extraSigner(state, 'foreign', 'tftp.rogue.example', day) : s.callManager;
  const capf = o.configCapf ?? o.capf;
  for (const device of o.devices) {
    const name = bootFileNames(device).config;
    const authMode = capfAuthModeFor(await state.table.get(device).catch(() => undefined));
    const xml = configXml({ capfHost: capf.host, capfPort: capf.port, authMode });
    configs[device] = signFile(xml, { signerCertificate: configSigner.der, signerKey: configSigner.key, filename: name, timestamp });
    await writeFileAtomicAsync(path.join(root, name), configs[device]);
  }
  const exported = [
    { der: recovery.der, roles: ['SAST'] },
    { der: s.callManager.der, roles: ['CCM+TFTP'] },
    { der: capfDer, roles: ['CAPF'] },
  ];
  if (o.tvsStore !== false) for (const e of exported) await addToTvsStore(tvsPaths(state.dir).store, [e.der], e.roles);
  return { root, itl, ctl, configs, exported, signers: { itlRecovery: recovery, callManager: s.callManager } };
}
