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

/**
 * Zones renamed in the IANA database whose old name browsers still list: ICU follows CLDR, whose
 * canonical ids stay the first spelling ("Asia/Calcutta", "Europe/Kiev"), and
 * `Intl.supportedValuesOf('timeZone')` and `resolvedOptions().timeZone` return those. The same
 * zones (IANA keeps the old names as links), offered by their current names. Only renames: a
 * country's zone that IANA links to another country's ("Europe/Bratislava" to "Europe/Prague")
 * keeps its own name.
 */
const CURRENT_NAMES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** A zone's current IANA name ("Asia/Calcutta" -> "Asia/Kolkata"); any other name as it is. */
export function currentZoneName(zone: string): string {
  return Object.hasOwn(CURRENT_NAMES, zone) ? CURRENT_NAMES[zone] : zone;
}

let zones: string[] | null = null;
/** Every IANA zone the browser knows, by its current name, sorted, with UTC first. */
export function timeZones(): string[] {
  if (!zones) {
    const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const current = [...new Set(all.map(currentZoneName))].filter((z) => z !== 'UTC').sort();
    zones = ['UTC', ...current];
  }
  return zones;
}

export function browserTimeZone(): string {
  return currentZoneName(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
}
