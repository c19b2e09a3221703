import { badInput } from './errors';

const monthFormatters = new Map<string, Intl.DateTimeFormat>();
/** Per time zone: the month key and the exact instants it starts and ends (next local midnight of the 1st). */
const monthCache = new Map<string, { key: string; start: number; end: number }>();

/** "YYYY-MM" of `date` in the IANA time zone `tz`: the month a budget cap and burn alert count in. */
export function monthKey(date: Date, tz: string): string {
  const t = date.getTime();
  const hit = monthCache.get(tz);
  // Exact, not approximate: a cached key is used only between its month's real boundaries.
  if (hit && t >= hit.start && t < hit.end) return hit.key;
  let f = monthFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' });
    monthFormatters.set(tz, f);
  }
  const parts = f.formatToParts(date);
  const y = parts.find((p) => p.type === 'year')!.value;
  const m = parts.find((p) => p.type === 'month')!.value;
  const key = `${y}-${m}`;
  const next = Number(m) === 12 ? [Number(y) + 1, 1] : [Number(y), Number(m) + 1];
  const start = zonedMidnight(Number(y), Number(m), 1, tz).getTime();
  const end = zonedMidnight(next[0], next[1], 1, tz).getTime();
  if (t >= start && t < end) {
    if (monthCache.size > 1000) monthCache.clear();
    monthCache.set(tz, { key, start, end });
  }
  return key;
}

/**
 * The month it is everywhere on Earth at `at` (UTC-12 to UTC+14 agree), or null during the
 * ~26 hours in which some time zones have begun the next month and others have not.
 */
export function worldMonth(at: Date): string | null {
  const earliest = monthKey(at, 'Etc/GMT-14');
  return earliest === monthKey(at, 'Etc/GMT+12') ? earliest : null;
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
