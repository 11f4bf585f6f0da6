/**
 * The lab state folder (its layout: model/labLayout.ts): the CAPF and manufacturing-CA keys, the device
 * table the server reads, and the state only the server writes. Every file is written atomically
 * (temporary file, fsync, rename); private keys are mode 0600.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { toPem } from '../../../core/cert/pem';
import { Clock, systemClock } from '../../../core/time/clock';
import { generateKey, KeySource } from '../../model/keys';
import { writeFileAtomicAsync } from '../../../core/fs/atomicWriteAsync';
import { LabPaths, labPaths, safeDevice } from '../../model/labLayout';
import { DeviceState, RegisteredLsc } from '../../model/deviceState';
import { loadDeviceStatesSync } from '../../model/deviceStateFiles';
import { DeviceTableReader } from './deviceTableFile';
import { Issuer, makeIssuer } from './issuer';
import { loadOrCreate, writeIssuer } from './issuerFiles';
import { createCapfCertificate, createManufacturingCa } from './labCertificates';
import { OperationLog } from './operationLog';

export interface LabStateOptions {
  clock?: Clock;
  /** where keys come from (tests inject pre-generated ones) */
  keySource?: KeySource;
}

export class LabStateError extends Error {}

export class LabState {
  /** the device table, as the server reads it */
  readonly table: DeviceTableReader;
  readonly log: OperationLog;
  readonly clock: Clock;
  readonly keySource: KeySource;

  private constructor(
    readonly paths: LabPaths,
    private capfIssuer: Issuer,
    private caIssuer: Issuer,
    o: LabStateOptions,
  ) {
    this.clock = o.clock ?? systemClock;
    this.log = new OperationLog(paths.log);
    this.table = new DeviceTableReader(paths.devices);
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
    return new LabState(paths, capf, ca, o);
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

  /** An issued LSC as the register keeps it, before the phone has stored it. */
  issuedLsc(der: Buffer, serialNumber: string): RegisteredLsc {
    return { serialNumber, issuedAt: this.clock().toISOString(), pem: toPem('CERTIFICATE', der) };
  }

  /** What the server recorded about `device`, as its state log says on disk (the server may be in another process). */
  deviceState(device: string): DeviceState | undefined {
    return loadDeviceStatesSync(this.paths).get(device);
  }

  /** The LSC the server's state says `device` holds now, from its register. */
  currentLsc(device: string): Buffer | undefined {
    const s = this.deviceState(device);
    const lsc = s?.lsc && s.lscs.find((l) => l.serialNumber === s.lsc?.serialNumber);
    return lsc ? new X509Certificate(lsc.pem).raw : undefined;
  }

  writeFetchedCertificate(device: string, der: Buffer): Promise<void> {
    return writeFileAtomicAsync(this.fetchedCertificatePath(device), toPem('CERTIFICATE', der));
  }

  /** Waits until every operation log line is on disk (the state log is the server's: CapfServer.stop). */
  async flush(): Promise<void> {
    await this.log.flush();
  }

  async close(): Promise<void> {
    await this.log.close();
  }
}
