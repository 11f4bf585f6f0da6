/**
 * A lab whose phones boot: the lab's CAPF server (LabEnvironment) plus its TFTP server (serving `<lab>/tftp/`)
 * and TVS server (the lab TVS certificate and store), all on 127.0.0.1 and free ports, stopped with the lab.
 * The scenarios, `itl-lens lab` and the tests drive booting phones through this.
 */
import * as path from 'node:path';
import { Issuer } from '../capf/service/issuer';
import { TftpServer, TftpServerOptions } from '../tftp/tftpServer';
import { TvsServer } from '../tvs/tvsServer';
import { loadOrCreateTvsIdentity, tvsPaths } from '../tvs/tvsIdentity';
import { PhoneKeyProvider } from '../phone/keyGeneration';
import { BootRun, BootRunOptions, bootAndEnroll, enrollWithHeld } from '../phone/boot/bootAndEnroll';
import { FolderTrustStore, TrustStore } from '../phone/boot/trustStore';
import { TimelineEntry } from '../phone/phoneEmulator';
import { LabEnvironment } from './labEnvironment';
import { buildLabCluster, LabClusterFiles, LabClusterOptions } from './labCluster';
import { ensureLabPhone } from './labPhones';
import { promises as fsp } from 'node:fs';

type Address = { host: string; port: number };

export interface LabBootRun {
  /** the lab whose TFTP server the phone boots from and whose CAPF status is read; default this one */
  cluster?: BootLab;
  /** the TVS the phone asks; default this lab's */
  tvs?: Address;
  /** "delete the ITL on the phone" before booting */
  deleteItl?: boolean;
  keys?: PhoneKeyProvider;
  authString?: string;
  signal?: AbortSignal;
  onTimeline?: (e: TimelineEntry) => void;
}

export class BootLab {
  private tftpServer: TftpServer | undefined;
  private tvsServer: TvsServer | undefined;
  private lastTvs: Address | undefined;

  private constructor(
    readonly lab: LabEnvironment,
    readonly tvsIdentity: Issuer,
  ) {
    lab.onClose(() => this.stop());
  }

  static async open(lab: LabEnvironment): Promise<BootLab> {
    return new BootLab(lab, await loadOrCreateTvsIdentity(lab.state.dir, { clock: lab.clock, keySource: lab.state.keySource }));
  }

  get tftpRoot(): string {
    return path.dirname(this.lab.state.paths.itl);
  }

  get tftpAddress(): Address {
    if (!this.tftpServer) throw new Error('the lab TFTP server is not running');
    return this.tftpServer.address;
  }

  /** The running TVS's address, or the last one (a stopped TVS still has the address phones try). */
  get tvsAddress(): Address {
    const a = this.tvsServer?.address ?? this.lastTvs;
    if (!a) throw new Error('the lab TVS server has not been started');
    return a;
  }

  get tvsStoreFile(): string {
    return tvsPaths(this.lab.state.dir).store;
  }

  /** `limits`: a bench's 50 phones share one address, which the default per-address budget would refuse. */
  async startTftp(limits: Pick<TftpServerOptions, 'perAddressLimit' | 'maxTransfers'> = {}): Promise<Address> {
    await fsp.mkdir(this.tftpRoot, { recursive: true });
    this.tftpServer ??= await TftpServer.start({ root: this.tftpRoot, host: '127.0.0.1', port: 0, clock: this.lab.clock, ...limits });
    return this.tftpServer.address;
  }

  async stopTftp(): Promise<void> {
    const s = this.tftpServer;
    this.tftpServer = undefined;
    await s?.stop();
  }

  /** "Restart the Cisco TFTP service": the server comes back on a new free port (the phones are told below). */
  async restartTftp(): Promise<Address> {
    await this.stopTftp();
    return this.startTftp();
  }

  async startTvs(): Promise<Address> {
    this.tvsServer ??= await TvsServer.start({ identity: this.tvsIdentity, storeFile: this.tvsStoreFile, host: '127.0.0.1', port: this.lastTvs?.port ?? 0, clock: this.lab.clock });
    this.lastTvs = this.tvsServer.address;
    return this.tvsServer.address;
  }

  async stopTvs(): Promise<void> {
    const s = this.tvsServer;
    this.tvsServer = undefined;
    await s?.stop();
  }

  /** CAPF, TFTP and TVS on 127.0.0.1 (whichever are not running yet). */
  async startAll(): Promise<void> {
    if (!this.lab.server) await this.lab.startServer();
    await this.startTftp();
    await this.startTvs();
  }

  async stop(): Promise<void> {
    await this.stopTftp();
    await this.stopTvs();
  }

  /** Builds the cluster into the TFTP root; capfList points at the running CAPF server. */
  buildCluster(devices: string[], o: Partial<LabClusterOptions> = {}): Promise<LabClusterFiles> {
    return buildLabCluster(this.lab.state, { capf: this.lab.address, devices, tvsDer: this.tvsIdentity.der, ...o });
  }

  trustStore(device: string): TrustStore {
    return new FolderTrustStore(this.lab.state.phoneDir(device));
  }

  /** Boots the phone (its trust store and MIC in this lab's folder) and runs its CAPF operation. */
  async boot(device: string, r: LabBootRun = {}): Promise<BootRun> {
    return bootAndEnroll(await this.runOptions(device, r));
  }

  /** The phone, not reset, runs its CAPF operation with what it holds (enrollWithHeld). */
  async withoutReset(device: string, r: LabBootRun = {}): Promise<BootRun> {
    return enrollWithHeld(await this.runOptions(device, r));
  }

  private async runOptions(device: string, r: LabBootRun): Promise<BootRunOptions> {
    const cluster = r.cluster ?? this;
    const phone = await ensureLabPhone(this.lab.state, device);
    const store = this.trustStore(device);
    if (r.deleteItl) await store.clear();
    return {
      device,
      tftp: cluster.tftpServer?.address ?? { host: '127.0.0.1', port: 9 },
      tvs: r.tvs ?? this.tvsAddress,
      store,
      clock: this.lab.clock,
      identity: phone.identity,
      phoneStore: phone.folder,
      authString: r.authString,
      keys: r.keys,
      retries: 0,
      retryDelayMs: 0,
      signal: r.signal,
      onTimeline: r.onTimeline,
      tftpRetransmitMs: 500,
      serverStatus: () => cluster.lab.deviceStatus(device),
    };
  }
}
