import { UsageError } from './io';

/** `--now ISO-8601` makes outputs reproducible; defaults to the real clock. */
export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--now: '${value}' is not an ISO-8601 date`);
  return d;
}
