/**
 * Wrong authentication strings: after MAX_AUTH_FAILURES (10) wrong tries a device is locked for AUTH_LOCK_MS
 * (10 minutes) [F Cisco: "After 10 wrong tries, wait at least 10 minutes"]. While locked even the right
 * string is refused, as Jabber users report. The count lives in the device's state (deviceState.ts), so a
 * server restart does not reset it.
 */
import { DeviceState } from '../../model/deviceState';

export const MAX_AUTH_FAILURES = 10;
export const AUTH_LOCK_MS = 10 * 60 * 1000;

/** The time the lock ends, when the device is locked at `now`. */
export function lockedUntil(s: DeviceState | undefined, now: Date): Date | undefined {
  const until = s?.authFailures?.lockedUntil;
  return until && now.getTime() < Date.parse(until) ? new Date(until) : undefined;
}

/** The failure count after one more wrong string, and the lock it causes (a lock that ran out starts a fresh count). */
export function nextFailure(s: DeviceState | undefined, now: Date): { count: number; lockedUntil?: string } {
  const ranOut = !!s?.authFailures?.lockedUntil && !lockedUntil(s, now);
  const count = (ranOut ? 0 : (s?.authFailures?.count ?? 0)) + 1;
  return count >= MAX_AUTH_FAILURES ? { count, lockedUntil: new Date(now.getTime() + AUTH_LOCK_MS).toISOString() } : { count };
}
