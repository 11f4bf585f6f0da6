/** Polls `cond` every 10 ms until it returns a value (not undefined, null or false); fails after `ms`. */
import { within } from '../capf/helpers';

export function until<T>(cond: () => T | undefined | null | false, what: string, ms = 10_000): Promise<T> {
  return within(
    new Promise<T>((resolve) => {
      const check = () => {
        const v = cond();
        if (v !== undefined && v !== null && v !== false) resolve(v);
        else setTimeout(check, 10);
      };
      check();
    }),
    ms,
    what,
  );
}
