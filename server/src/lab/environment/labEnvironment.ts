/**
 * A running lab: the state folder, the CAPF server on a loopback port, the ITL built for it, and emulated
 * phones. The install test, the scenarios, the benchmark and the tests all drive the lab through this.
 */
import { KeyObject } from 'node:crypto';
import { Clock } from '../../core/time/clock';
import { KeySource } from '../model/keys';
import { PhoneKeyProvider } from '../phone/keyGeneration';
import { PhoneOptions, PhoneResult, runPhone } from '../phone/phoneEmulator';
import { PhoneAuth } from '../phone/phoneSession';
import { CapfServer, CapfServerOptions } from '../capf/service/capfServer';
import { DeviceEntry } from '../model/deviceTable';
import { LabState } from '../capf/service/labState';
import { statusFor } from '../model/deviceState';
import { stampSchedule } from '../capf/service/deviceSchedule';
import { updateDeviceEntry } from '../capf/service/deviceTableFile';
import { LabItlOptions, buildLabItl } from './labItl';
import { ensureLabPhone, phoneAuthFor } from './labPhones';

export interface LabEnvironmentOptions {
  stateDir: string;
  clock?: Clock;
  keySource?: KeySource;
}

export interface LabPhoneRun {
  /** default: what the device entry's authentication mode implies (null string when not listed) */
  auth?: PhoneAuth;
  authString?: string;
  keys?: PhoneKeyProvider;
  /** the MIC key for a phone made on first use */
  micKey?: KeyObject;
  /** default: the lab ITL */
  itl?: Buffer;
  /** default: the running server's address */
  server?: { host: string; port: number };
  /** keep the LSC in phones/<name>/ (default true) */
  persist?: boolean;
  /** default 0 retries, as tests want; pass 3 / 30 000 for real-life behaviour */
  retries?: number;
  retryDelayMs?: number;
  extra?: Partial<PhoneOptions>;
}

export class LabEnvironment {
  private serverInstance: CapfServer | undefined;
  private itlBytes: Buffer | undefined;
  private lastAddress: { host: string; port: number } | undefined;
  private readonly closers: Array<() => Promise<void>> = [];

  private constructor(readonly state: LabState) {}

  static async open(o: LabEnvironmentOptions): Promise<LabEnvironment> {
    return new LabEnvironment(await LabState.open(o.stateDir, { clock: o.clock, keySource: o.keySource }));
  }

  get clock(): Clock {
    return this.state.clock;
  }

  get server(): CapfServer | undefined {
    return this.serverInstance;
  }

  /** The address of the running server, or of the last one (to show what a phone finds when it is stopped). */
  get address(): { host: string; port: number } {
    const a = this.serverInstance?.address ?? this.lastAddress;
    if (!a) throw new Error('the lab CAPF server has not been started');
    return a;
  }

  /** The lab ITL (built on first use). */
  async itl(): Promise<Buffer> {
    this.itlBytes ??= await buildLabItl(this.state);
    return this.itlBytes;
  }

  async rebuildItl(o: LabItlOptions = {}): Promise<Buffer> {
    this.itlBytes = await buildLabItl(this.state, o);
    return this.itlBytes;
  }

  /** Starts the server on 127.0.0.1 and a free port unless told otherwise. */
  async startServer(o: Partial<Omit<CapfServerOptions, 'state'>> = {}): Promise<CapfServer> {
    if (this.serverInstance) throw new Error('the lab CAPF server is already running');
    this.serverInstance = await CapfServer.start({ state: this.state, host: '127.0.0.1', port: 0, ...o });
    this.lastAddress = this.serverInstance.address;
    return this.serverInstance;
  }

  async stopServer(): Promise<void> {
    const s = this.serverInstance;
    this.serverInstance = undefined;
    await s?.stop();
  }

  /** Schedules an operation in the device table, as saving the Phone Configuration page would. */
  schedule(name: string, fields: Partial<DeviceEntry>): Promise<DeviceEntry> {
    return updateDeviceEntry(this.state.paths.devices, name, (entry) => {
      Object.assign(entry, fields);
      stampSchedule(entry, this.clock());
    });
  }

  /** The device's Certificate Operation Status, as CUCM's page would show it; undefined for a device the lab does not know. */
  async deviceStatus(name: string): Promise<string | undefined> {
    const entry = await this.state.table.get(name);
    const known = this.serverInstance ? this.serverInstance.states.get(name) : this.state.deviceState(name);
    return entry || known ? statusFor(entry, known) : undefined;
  }

  /** Runs an emulated phone against the lab. */
  async runPhone(name: string, r: LabPhoneRun = {}): Promise<PhoneResult> {
    const phone = await ensureLabPhone(this.state, name, r.micKey);
    const entry = await this.state.table.get(name).catch(() => undefined);
    return runPhone({
      identity: phone.identity,
      itl: r.itl ?? (await this.itl()),
      server: r.server ?? this.address,
      auth: r.auth ?? phoneAuthFor(entry, r.authString),
      keys: r.keys,
      store: r.persist === false ? undefined : phone.folder,
      retries: r.retries ?? 0,
      retryDelayMs: r.retryDelayMs ?? 0,
      clock: this.clock,
      serverStatus: () => this.deviceStatus(name),
      ...r.extra,
    });
  }

  /** Something to stop when the lab closes (its TFTP and TVS servers: labServices.ts). */
  onClose(stop: () => Promise<void>): void {
    this.closers.push(stop);
  }

  async close(): Promise<void> {
    for (const stop of this.closers.splice(0).reverse()) await stop().catch(() => undefined);
    await this.stopServer();
    await this.state.close();
  }
}
