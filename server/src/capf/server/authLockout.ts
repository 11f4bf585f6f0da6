/**
 * Wrong authentication strings: after `maxFailures` (10) wrong tries a device is locked for `lockMs`
 * (10 minutes) [F Cisco: "After 10 wrong tries, wait at least 10 minutes"]. While locked even the right
 * string is refused, as Jabber users report. Kept in memory: a server restart clears it, as a CAPF restart would.
 */
import { Clock } from '../clock';

export const MAX_AUTH_FAILURES = 10;
export const AUTH_LOCK_MS = 10 * 60 * 1000;

interface Record {
  failures: number;
  lockedUntil?: number;
}

export class AuthLockout {
  private readonly devices = new Map<string, Record>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures = MAX_AUTH_FAILURES,
    private readonly lockMs = AUTH_LOCK_MS,
  ) {}

  /** The time the lock ends, when `device` is locked now. */
  lockedUntil(device: string): Date | undefined {
    const r = this.devices.get(device);
    if (!r?.lockedUntil) return undefined;
    if (this.clock().getTime() < r.lockedUntil) return new Date(r.lockedUntil);
    this.devices.delete(device); // the lock ran out: a fresh start
    return undefined;
  }

  /** Counts one wrong string; returns the lock end when this failure locked the device. */
  recordFailure(device: string): { failures: number; lockedUntil?: Date } {
    const r = this.devices.get(device) ?? { failures: 0 };
    r.failures++;
    if (r.failures >= this.maxFailures) r.lockedUntil = this.clock().getTime() + this.lockMs;
    this.devices.set(device, r);
    return { failures: r.failures, lockedUntil: r.lockedUntil ? new Date(r.lockedUntil) : undefined };
  }

  recordSuccess(device: string): void {
    this.devices.delete(device);
  }
}
