/**
 * @module
 * Go's time.Time.String (in UTC) and time.Duration.String, which templates
 * print for humanizeTimestamp, toTime and toDuration.
 */

/** time.Time.String() of a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function formatGoTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  const frac = ((ms % 1000) + 1000) % 1000;
  const fracStr = frac === 0 ? "" : "." + pad(frac, 3).replace(/0+$/, "");
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fracStr} +0000 UTC`;
}

function fracString(v: number, prec: number): string {
  // v in units of 10^-prec; prints v/10^prec without trailing zeros.
  const int = Math.floor(v / 10 ** prec);
  let frac = String(v % 10 ** prec).padStart(prec, "0").replace(/0+$/, "");
  if (frac !== "") frac = "." + frac;
  return `${int}${frac}`;
}

/** time.Duration.String(): `1h2m3.5s`, `1.5s`, `500ms`, `0s`. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0;
  const u = Math.abs(ns);
  let s: string;
  if (u < 1e3) s = `${u}ns`;
  else if (u < 1e6) s = `${fracString(u, 3)}µs`;
  else if (u < 1e9) s = `${fracString(u / 1e3, 3)}ms`;
  else {
    const totalSec = Math.floor(u / 1e9);
    const fracNs = u % 1e9;
    const h = Math.floor(totalSec / 3600);
    const m = Math.floor((totalSec % 3600) / 60);
    const sec = totalSec % 60;
    const secStr = fracString(sec * 1e9 + fracNs, 9) + "s";
    s = h > 0 ? `${h}h${m}m${secStr}` : m > 0 ? `${m}m${secStr}` : secStr;
  }
  return neg ? "-" + s : s;
}
