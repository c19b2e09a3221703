/** Dates shown in the account's timezone (the one the API counts months and usage buckets in). */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en', { ...options, timeZone });
    formatters.set(key, f);
  }
  return f;
}

export function formatDateTime(iso: string, timeZone: string): string {
  return formatter(timeZone, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function formatDate(iso: string, timeZone: string): string {
  return formatter(timeZone, { dateStyle: 'medium' }).format(new Date(iso));
}

export type Period = 'DAY' | 'WEEK' | 'MONTH';

/** A usage bucket's label: "Mar 4", "Wk of Mar 4", "Mar 2026". */
export function bucketLabel(iso: string, period: Period, timeZone: string): string {
  const d = new Date(iso);
  if (period === 'MONTH') return formatter(timeZone, { month: 'short', year: 'numeric' }).format(d);
  const day = formatter(timeZone, { month: 'short', day: 'numeric' }).format(d);
  return period === 'WEEK' ? `Wk of ${day}` : day;
}

/** The calendar day ("YYYY-MM-DD") it is in `timeZone` at `instant` (ms since the epoch). */
export function zonedDay(instant: number, timeZone: string): string {
  const parts = formatter(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = formatter(timeZone, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(instant);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** Local midnight of a "YYYY-MM-DD" day in `timeZone`, as an ISO instant (DST-safe: two passes). */
export function zonedDayStart(day: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - offsetMs(wall, timeZone);
  t = wall - offsetMs(t, timeZone);
  return new Date(t).toISOString();
}

/** The day after a "YYYY-MM-DD" day (for exclusive "to" bounds). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

let zones: string[] | null = null;
/** Every IANA zone the browser knows, with UTC first. */
export function timeZones(): string[] {
  if (!zones) {
    const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    zones = ['UTC', ...all.filter((z) => z !== 'UTC')];
  }
  return zones;
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
