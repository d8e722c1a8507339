/**
 * @module
 * Alertmanager's time intervals (timeinterval package): `times`, `weekdays`,
 * `days_of_month` (negative counts from the month's end), `months`, `years`,
 * `location`. A time is inside an interval when every given field contains it;
 * an interval list contains it when any interval does.
 */

export interface Range {
  begin: number;
  end: number;
}

export interface TimeInterval {
  /** Minutes of the day, end exclusive. */
  times: Range[];
  /** 0 = Sunday as Go's time.Weekday. */
  weekdays: Range[];
  daysOfMonth: Range[];
  /** 1..12 */
  months: Range[];
  years: Range[];
  /** IANA name; "UTC" when absent. */
  location: string;
}

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

function splitRange(s: string): [string, string] {
  const parts = s.split(":");
  if (parts.length === 1) return [s, s];
  if (parts.length !== 2) throw new Error(`invalid range: ${s}`);
  return [parts[0]!, parts[1]!];
}

/** `monday:friday` or `saturday`. */
export function parseWeekdayRange(s: string): Range {
  const [a, b] = splitRange(s.toLowerCase());
  const begin = WEEKDAYS.indexOf(a);
  const end = WEEKDAYS.indexOf(b);
  if (begin < 0) throw new Error(`${a} is not a valid weekday`);
  if (end < 0) throw new Error(`${b} is not a valid weekday`);
  if (begin > end) throw new Error("start day cannot be before end day");
  return { begin, end };
}

function parseInteger(s: string, what: string): number {
  if (!/^-?\d+$/.test(s)) throw new Error(`invalid ${what}: ${s}`);
  return Number(s);
}

/** `1:5`, `-3:-1`, `15`: days 1..31 or -31..-1, never 0. */
export function parseDayOfMonthRange(s: string): Range {
  const [a, b] = splitRange(s);
  const begin = parseInteger(a, "day of month");
  const end = parseInteger(b, "day of month");
  for (const d of [begin, end]) {
    if (d === 0 || d < -31 || d > 31) throw new Error(`${d} is not a valid day of the month: out of range`);
  }
  // Ranges that mix signs are only checked at evaluation time, as Alertmanager does.
  if (Math.sign(begin) === Math.sign(end) && begin > end) throw new Error("end day must be greater than start day");
  return { begin, end };
}

function monthNumber(s: string): number {
  const i = MONTHS.indexOf(s.toLowerCase());
  if (i >= 0) return i + 1;
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= 12)) throw new Error(`${s} is not a valid month`);
  return n;
}

/** `january:march`, `1:3`, `december`. */
export function parseMonthRange(s: string): Range {
  const [a, b] = splitRange(s);
  const begin = monthNumber(a);
  const end = monthNumber(b);
  if (begin > end) throw new Error("end month must be greater than or equal to start month");
  return { begin, end };
}

export function parseYearRange(s: string): Range {
  const [a, b] = splitRange(s);
  const begin = parseInteger(a, "year");
  const end = parseInteger(b, "year");
  if (begin > end) throw new Error("end year must be greater than start year");
  return { begin, end };
}

const TIME_RE = /^(\d{2}):(\d{2})$/;

function minutes(s: string): number {
  const m = TIME_RE.exec(s);
  if (m === null) throw new Error("couldn't parse timestamp " + s + ", invalid format");
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (h > 24 || mi > 59 || (h === 24 && mi !== 0)) throw new Error(`timestamp ${s} out of range`);
  return h * 60 + mi;
}

/** `start_time`/`end_time` in HH:MM, end exclusive, 24:00 allowed as an end. */
export function parseTimeRange(start: string, end: string): Range {
  const begin = minutes(start);
  const e = minutes(end);
  if (begin >= 24 * 60) throw new Error("start time out of range");
  if (begin >= e) throw new Error("start time cannot be equal or greater than end time");
  return { begin, end: e };
}

/** Whether `location` names a zone the runtime knows (Go's time.LoadLocation). */
export function validLocation(location: string): boolean {
  if (location === "Local" || location === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: location });
    return true;
  } catch {
    return false;
  }
}

interface Civil {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minute: number;
  daysInMonth: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function civil(t: number, location: string): Civil {
  const zone = location === "Local" ? "UTC" : location;
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
      weekday: "long",
    });
    formatters.set(zone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(t))) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  return {
    year,
    month,
    day: Number(parts.day),
    weekday: WEEKDAYS.indexOf(parts.weekday!.toLowerCase()),
    minute: (Number(parts.hour) % 24) * 60 + Number(parts.minute),
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

function inRanges(rs: readonly Range[], v: number): boolean {
  return rs.length === 0 || rs.some((r) => v >= r.begin && v <= r.end);
}

/** TimeInterval.ContainsTime. `t` in Unix milliseconds. */
export function intervalContains(ti: TimeInterval, t: number): boolean {
  const c = civil(t, ti.location);
  if (ti.times.length > 0 && !ti.times.some((r) => c.minute >= r.begin && c.minute < r.end)) return false;
  if (ti.daysOfMonth.length > 0) {
    const ok = ti.daysOfMonth.some((r) => {
      // Negative days count back from the month's end (-1 is the last day); clamp as Alertmanager does.
      const abs = (d: number) => (d > 0 ? d : c.daysInMonth + d + 1);
      const begin = Math.max(1, abs(r.begin));
      const end = Math.min(c.daysInMonth, abs(r.end));
      return c.day >= begin && c.day <= end;
    });
    if (!ok) return false;
  }
  if (!inRanges(ti.months, c.month)) return false;
  if (!inRanges(ti.weekdays, c.weekday)) return false;
  if (!inRanges(ti.years, c.year)) return false;
  return true;
}

/** Whether any of the intervals contains `t`. */
export function anyContains(intervals: readonly TimeInterval[], t: number): boolean {
  return intervals.some((ti) => intervalContains(ti, t));
}
