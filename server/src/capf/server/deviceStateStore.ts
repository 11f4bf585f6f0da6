/**
 * The CAPF server's own state, one file per device (capf-state/<device>.json, deviceState.ts), which only
 * the server writes. A change is durable before it is acknowledged: each one replaces the device's file
 * whole (temporary file, fsync, rename, folder fsync), so a crash or power loss leaves the old file or the
 * new one, never half of either, and a restart reads the files as they are. One file per device means no
 * merge: the server runs one session per device at a time, and changes to one device are queued here.
 */
import { writeFileAtomicAsync } from '../../core/fs/atomicWriteAsync';
import { Clock } from '../clock';
import { DeviceState, MAX_REGISTERED_LSCS, newDeviceState } from '../model/deviceState';
import { loadDeviceState } from '../model/deviceStateFiles';
import { LabPaths, deviceStatePath } from '../model/labLayout';

export class DeviceStateStore {
  private readonly cache = new Map<string, Promise<DeviceState | undefined>>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly paths: LabPaths,
    private readonly clock: Clock,
  ) {}

  /** The device's state as last written (read from disk once, then kept: only this server writes it). */
  get(device: string): Promise<DeviceState | undefined> {
    let s = this.cache.get(device);
    if (!s) {
      s = loadDeviceState(this.paths, device);
      this.cache.set(device, s);
      s.catch(() => this.cache.delete(device)); // an unreadable file is read again next time
    }
    return s;
  }

  /** Applies `change` to a copy of the device's state and resolves once the new state is on disk. */
  update(device: string, change: (s: DeviceState) => void): Promise<DeviceState> {
    const previous = this.queues.get(device) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      const current = await this.get(device);
      const s: DeviceState = current ? structuredClone(current) : newDeviceState(device, this.clock());
      change(s);
      s.lscs = s.lscs.slice(-MAX_REGISTERED_LSCS);
      s.updatedAt = this.clock().toISOString();
      await writeFileAtomicAsync(deviceStatePath(this.paths, device), `${JSON.stringify(s, null, 2)}\n`);
      this.cache.set(device, Promise.resolve(s));
      return s;
    });
    this.queues.set(device, next);
    void next.finally(() => {
      if (this.queues.get(device) === next) this.queues.delete(device);
    }).catch(() => undefined);
    return next;
  }

  /** Resolves when every queued change is on disk (or failed). */
  async flush(): Promise<void> {
    await Promise.all([...this.queues.values()].map((p) => p.catch(() => undefined)));
  }
}
