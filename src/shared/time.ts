import { badInput } from './errors';

const monthFormatters = new Map<string, Intl.DateTimeFormat>();

/** "YYYY-MM" of `date` in the IANA time zone `tz`: the month a budget cap and burn alert count in. */
export function monthKey(date: Date, tz: string): string {
  let f = monthFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' });
    monthFormatters.set(tz, f);
  }
  const parts = f.formatToParts(date);
  const y = parts.find((p) => p.type === 'year')!.value;
  const m = parts.find((p) => p.type === 'month')!.value;
  return `${y}-${m}`;
}

export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function assertTimeZone(tz: string): string {
  if (!isValidTimeZone(tz)) throw badInput(`"${tz}" is not a valid IANA time zone, e.g. "Europe/Berlin"`);
  return tz;
}

/** The instant the month `key` ("YYYY-MM") starts in `tz`. */
export function monthStart(key: string, tz: string): Date {
  const [y, m] = key.split('-').map(Number);
  return zonedMidnight(y, m, 1, tz);
}

/** The UTC instant of local midnight of y-m-d in `tz` (handles DST and half-hour offsets). */
export function zonedMidnight(y: number, m: number, d: number, tz: string): Date {
  // Start from UTC midnight, then correct by the zone's offset at that instant (twice, for DST edges).
  let guess = Date.UTC(y, m - 1, d);
  for (let i = 0; i < 3; i++) {
    const off = offsetMs(new Date(guess), tz);
    const next = Date.UTC(y, m - 1, d) - off;
    if (next === guess) break;
    guess = next;
  }
  return new Date(guess);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
function offsetMs(date: Date, tz: string): number {
  let f = offsetFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}
