/** Time of day as the lab sees it. Injected everywhere a decision depends on "now" (deadlines, lockouts, validity). */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock for tests and scenarios: starts at `start` and moves only when told. */
export interface ManualClock {
  now: Clock;
  advance(ms: number): void;
  set(at: Date): void;
}

export function manualClock(start: Date): ManualClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (at) => {
      t = at.getTime();
    },
  };
}
