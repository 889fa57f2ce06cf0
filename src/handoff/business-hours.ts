/**
 * Opening hours in a time zone: `"mon-fri 09:00-17:00; sat 10:00-14:00"` with an IANA zone such as
 * `Europe/Berlin`. A window may not cross midnight (write two). Parsed once at boot; a bad value
 * fails the boot with what was wrong.
 */
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

interface Window {
  days: ReadonlySet<number>;
  from: number;
  to: number;
}

export interface BusinessHours {
  timeZone: string;
  windows: readonly Window[];
}

function minutes(hhmm: string, spec: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  const h = Number(match?.[1]);
  const m = Number(match?.[2]);
  if (!match || h > 24 || m > 59 || (h === 24 && m !== 0)) throw new Error(`business hours: '${hhmm}' in '${spec}' is not HH:MM`);
  return h * 60 + m;
}

function dayIndex(name: string, spec: string): number {
  const index = DAYS.indexOf(name.toLowerCase().slice(0, 3) as (typeof DAYS)[number]);
  if (index === -1) throw new Error(`business hours: '${name}' in '${spec}' is not a day (mon … sun)`);
  return index;
}

function days(part: string, spec: string): Set<number> {
  const out = new Set<number>();
  for (const piece of part.split(',')) {
    const [a, b] = piece.split('-').map((s) => s.trim());
    const start = dayIndex(a ?? '', spec);
    const end = b === undefined ? start : dayIndex(b, spec);
    for (let d = start; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === end) break;
    }
  }
  return out;
}

export function parseBusinessHours(spec: string, timeZone: string): BusinessHours {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`business hours: '${timeZone}' is not an IANA time zone`);
  }
  const windows: Window[] = [];
  for (const clause of spec.split(';').map((s) => s.trim()).filter((s) => s !== '')) {
    const match = /^(\S+)\s+(\S+)-(\S+)$/.exec(clause);
    if (!match) throw new Error(`business hours: '${clause}' is not 'DAYS HH:MM-HH:MM'`);
    const from = minutes(match[2]!, clause);
    const to = minutes(match[3]!, clause);
    if (to <= from) throw new Error(`business hours: '${clause}' ends before it starts`);
    windows.push({ days: days(match[1]!, clause), from, to });
  }
  if (windows.length === 0) throw new Error('business hours: no opening windows');
  return { timeZone, windows };
}

/** Weekday and minute of the day of `at` in the zone. */
function localTime(at: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: dayIndex(get('weekday'), 'Intl'), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function isOpen(hours: BusinessHours, at: Date): boolean {
  const { day, minute } = localTime(at, hours.timeZone);
  return hours.windows.some((w) => w.days.has(day) && minute >= w.from && minute < w.to);
}
