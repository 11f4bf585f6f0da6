/**
 * The lab state folder: everything the local CAPF server and the emulated phones keep between runs.
 *
 *   capf/capf.pem, capf/capf.key.pem                      CAPF certificate and key (generated on first use, or the user's own)
 *   manufacturing-ca/ca.pem, manufacturing-ca/ca.key.pem  the lab manufacturing CA that signs MICs
 *   capf-devices.json                                     the device table (see deviceTable.schema.json)
 *   capf-devices.journal                                  while a server runs: its results not yet in the table (deviceTableJournal.ts)
 *   operations.log                                        append-only operation log, one JSON object per line
 *   issued/issued-lscs.pem                                every LSC the server issued (append-only register, lscRegister.ts)
 *   fetched/<device>.pem                                  certificates fetched by Troubleshoot
 *   phones/<device>/                                      emulated phones' MIC, LSC and keys
 *   cluster/keys/, tftp/ITLFile.tlv                       the lab cluster's keys and the ITL it built
 *
 * Every file is written atomically (temporary file, fsync, rename), except the append-only ones (the
 * operation log, the LSC register and the device table's journal), which only ever grow by whole entries;
 * private keys are mode 0600.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { toPem } from '../../core/cert/pem';
import { Clock, systemClock } from '../clock';
import { generateKey, KeySource } from '../keys';
import { writeFileAtomicAsync } from '../../core/fs/atomicWriteAsync';
import { DEVICE_TABLE_FILE, deviceNameProblem } from './deviceTable';
import { DeviceTableStore } from './deviceTableStore';
import { Issuer, makeIssuer } from './issuer';
import { loadOrCreate, writeIssuer } from './issuerFiles';
import { createCapfCertificate, createManufacturingCa } from './labCertificates';
import { liveOwner } from './tableOwner';
import { LSC_REGISTER_FILE, LscRegister, RegisteredLsc } from './lscRegister';
import { OperationLog } from './operationLog';

/** The default lab folder, relative to the working directory. */
export const DEFAULT_LAB_DIR = '.itl-lens-lab';

export interface LabPaths {
  dir: string;
  capfCert: string;
  capfKey: string;
  manufacturingCaCert: string;
  manufacturingCaKey: string;
  devices: string;
  log: string;
  lscRegister: string;
  fetchedDir: string;
  phonesDir: string;
  clusterKeysDir: string;
  itl: string;
}

export function labPaths(dir: string): LabPaths {
  const d = path.resolve(dir);
  return {
    dir: d,
    capfCert: path.join(d, 'capf', 'capf.pem'),
    capfKey: path.join(d, 'capf', 'capf.key.pem'),
    manufacturingCaCert: path.join(d, 'manufacturing-ca', 'ca.pem'),
    manufacturingCaKey: path.join(d, 'manufacturing-ca', 'ca.key.pem'),
    devices: path.join(d, DEVICE_TABLE_FILE),
    log: path.join(d, 'operations.log'),
    lscRegister: path.join(d, 'issued', LSC_REGISTER_FILE),
    fetchedDir: path.join(d, 'fetched'),
    phonesDir: path.join(d, 'phones'),
    clusterKeysDir: path.join(d, 'cluster', 'keys'),
    itl: path.join(d, 'tftp', 'ITLFile.tlv'),
  };
}

/** The lab's LSC register. A live server elsewhere may be appending to it: its tail is then not ours to cut. */
export function openLabRegister(paths: LabPaths): Promise<{ register: LscRegister; repaired?: string }> {
  return LscRegister.open(paths.lscRegister, { repairTail: !liveOwner(paths.devices) });
}

export interface LabStateOptions {
  clock?: Clock;
  /** where keys come from (tests inject pre-generated ones) */
  keySource?: KeySource;
}

export class LabStateError extends Error {}

export class LabState {
  readonly devices: DeviceTableStore;
  readonly log: OperationLog;
  readonly clock: Clock;
  readonly keySource: KeySource;

  private constructor(
    readonly paths: LabPaths,
    private capfIssuer: Issuer,
    private caIssuer: Issuer,
    /** the LSCs the server issued */
    readonly lscs: LscRegister,
    o: LabStateOptions,
  ) {
    this.clock = o.clock ?? systemClock;
    this.log = new OperationLog(paths.log);
    this.devices = new DeviceTableStore(paths.devices, { register: lscs, onRepair: (message) => this.log.append({ time: this.clock().toISOString(), event: 'state-repair', message }) });
    this.keySource = o.keySource ?? generateKey;
  }

  /** Opens (creating on first use) the lab folder `dir`. */
  static async open(dir: string, o: LabStateOptions = {}): Promise<LabState> {
    const paths = labPaths(dir);
    const clock = o.clock ?? systemClock;
    const keySource = o.keySource ?? generateKey;
    await fsp.mkdir(paths.dir, { recursive: true });
    const capf = await loadOrCreate(paths.capfCert, paths.capfKey, 'CAPF certificate', async () => {
      const key = await keySource({ type: 'rsa', bits: 2048 }, 'capf');
      return { der: createCapfCertificate(key, clock()), key };
    });
    const ca = await loadOrCreate(paths.manufacturingCaCert, paths.manufacturingCaKey, 'lab manufacturing CA', async () => {
      const key = await keySource({ type: 'rsa', bits: 2048 }, 'manufacturing-ca');
      return { der: createManufacturingCa(key, clock()), key };
    });
    const { register, repaired } = await openLabRegister(paths);
    const state = new LabState(paths, capf, ca, register, o);
    if (repaired) state.log.append({ time: clock().toISOString(), event: 'state-repair', message: repaired });
    return state;
  }

  get dir(): string {
    return this.paths.dir;
  }

  /** The CAPF certificate and key the server presents and signs LSCs with. */
  get capf(): Issuer {
    return this.capfIssuer;
  }

  /** The lab's stand-in for Cisco's manufacturing CA: MICs chain to it. */
  get manufacturingCa(): Issuer {
    return this.caIssuer;
  }

  /** A new CAPF key and certificate, as after "regenerate CAPF" in CUCM. Phones with the old ITL will not trust it. */
  async regenerateCapf(): Promise<Issuer> {
    const key = await this.keySource({ type: 'rsa', bits: 2048 }, 'capf');
    const issuer = makeIssuer(createCapfCertificate(key, this.clock()), key);
    await writeIssuer(this.paths.capfCert, this.paths.capfKey, issuer);
    this.capfIssuer = issuer;
    return issuer;
  }

  /**
   * Uses the user's own CAPF certificate and key (PEM). Rejects a key that does not match; returns
   * warnings for what 14SU2+ phones would refuse (no CA:TRUE, no keyCertSign).
   */
  async importCapf(certPem: string | Buffer, keyPem: string | Buffer): Promise<{ issuer: Issuer; warnings: string[] }> {
    let der: Buffer;
    let key: KeyObject;
    try {
      der = new X509Certificate(certPem).raw;
    } catch (e) {
      throw new LabStateError(`the CAPF certificate is not a PEM or DER certificate: ${(e as Error).message}`);
    }
    try {
      key = createPrivateKey(keyPem);
    } catch (e) {
      throw new LabStateError(`the CAPF key is not an unencrypted PEM private key: ${(e as Error).message}`);
    }
    let issuer: Issuer;
    try {
      issuer = makeIssuer(der, key);
    } catch (e) {
      throw new LabStateError((e as Error).message);
    }
    const warnings: string[] = [];
    if (!issuer.cert.basicConstraints?.ca) warnings.push('the certificate lacks basicConstraints CA:TRUE: from CUCM 14SU2 phones refuse such a CAPF');
    if (!issuer.cert.keyUsage?.includes('keyCertSign')) warnings.push('the certificate lacks keyUsage keyCertSign: from CUCM 14SU2 phones refuse such a CAPF');
    if (!issuer.cert.keyUsage?.includes('digitalSignature')) warnings.push('the certificate lacks keyUsage digitalSignature: TLS with it may fail');
    await writeIssuer(this.paths.capfCert, this.paths.capfKey, issuer);
    this.capfIssuer = issuer;
    return { issuer, warnings };
  }

  fetchedCertificatePath(device: string): string {
    return path.join(this.paths.fetchedDir, `${safeDevice(device)}.pem`);
  }

  phoneDir(device: string): string {
    return path.join(this.paths.phonesDir, safeDevice(device));
  }

  /** An issued LSC as the register keeps it: the change that records it (DeviceTableStore.updateDevice) makes it durable. */
  issuedLsc(device: string, der: Buffer, serialNumber: string): RegisteredLsc {
    return { device: safeDevice(device), serialNumber, issuedAt: this.clock().toISOString(), der };
  }

  /** The LSC the device table says `device` holds now (its lsc.serialNumber), from the journal or the register. */
  async currentLsc(device: string): Promise<RegisteredLsc | undefined> {
    const serial = (await this.devices.get(device))?.lsc?.serialNumber;
    return serial ? (this.devices.journaledLsc(device, serial) ?? this.lscs.find(device, serial)) : undefined;
  }

  writeFetchedCertificate(device: string, der: Buffer): Promise<void> {
    return writeFileAtomicAsync(this.fetchedCertificatePath(device), toPem('CERTIFICATE', der));
  }

  /** Waits until the device table (and the LSCs its changes recorded, in the register) and the log are on disk. */
  async flush(): Promise<void> {
    await this.devices.flush();
    await this.lscs.flush();
    await this.log.flush();
  }

  /** Flushes, and closes the register's and the log's files (a later append reopens them). */
  async close(): Promise<void> {
    await this.flush();
    await this.lscs.close();
    await this.log.close();
  }
}

/** File names are built from device names only after this check, so no name can escape the folder. */
function safeDevice(device: string): string {
  const problem = deviceNameProblem(device);
  if (problem) throw new LabStateError(problem);
  return device;
}
