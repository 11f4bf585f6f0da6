/** "in 12 days", "3 days ago": the relative half of a validity annotation. */
const DAY = 86_400_000;

export function relativeDays(target: Date, now: Date): string {
  const diff = target.getTime() - now.getTime();
  const abs = Math.abs(diff);
  let amount: string;
  if (abs < 3_600_000) amount = `${Math.max(1, Math.round(abs / 60_000))} minutes`;
  else if (abs < DAY) amount = `${Math.round(abs / 3_600_000)} hours`;
  else if (abs < 2 * 365 * DAY) amount = `${Math.floor(abs / DAY)} days`;
  else amount = `${(abs / (365.25 * DAY)).toFixed(1)} years`;
  amount = amount.replace(/^1 (\w+)s$/, '1 $1');
  return diff >= 0 ? `in ${amount}` : `${amount} ago`;
}

export function validityPhrase(notBefore: Date | undefined, notAfter: Date | undefined, now: Date): string {
  if (notBefore && now < notBefore) return `NOT YET VALID: becomes valid ${relativeDays(notBefore, now)}`;
  if (!notAfter) return 'validity unreadable';
  return now > notAfter ? `EXPIRED ${relativeDays(notAfter, now)}` : `expires ${relativeDays(notAfter, now)}`;
}

export function isoDay(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** "2030-06-14 12:00:00 UTC (1 day ago)": a date as the views, hovers and diagnostics write it. */
export function dateAndRelative(date: Date, now: Date): string {
  return `${isoDay(date)} (${relativeDays(date, now)})`;
}
