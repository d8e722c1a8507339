/**
 * @module
 * Go's float formatting, which Prometheus's outputs follow byte for byte:
 * - `formatGoFloat`: strconv.FormatFloat(v, 'g', -1, 64) — exposition values,
 *   annotations (`1e+06`, `1.0004e-05`; exponent when < -4 or >= 6);
 * - `formatGoFloatV`: fmt's %v — PromQL printing (exponent from 1e21);
 * - `formatGoFloatFixed`: strconv.FormatFloat(v, 'f', -1, 64) — API JSON values.
 * All use the shortest digits that round-trip, which JS computes too.
 */

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  return undefined;
}

/** The shortest round-trip decimal digits of v and the decimal exponent of the first one. */
function shortestDigits(v: number): { negative: boolean; digits: string; exp: number } {
  const [mantissa, expStr] = Math.abs(v).toExponential().split("e") as [string, string];
  return { negative: v < 0, digits: mantissa.replace(".", ""), exp: Number(expStr) };
}

function fixed(negative: boolean, digits: string, exp: number): string {
  let s: string;
  if (exp < 0) s = `0.${"0".repeat(-exp - 1)}${digits}`;
  else if (digits.length <= exp + 1) s = digits + "0".repeat(exp + 1 - digits.length);
  else s = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return negative ? `-${s}` : s;
}

function withThreshold(v: number, expLimit: number): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  const e = v.toExponential();
  const ePos = e.indexOf("e");
  const exp = Number(e.slice(ePos + 1));
  if (exp < -4 || exp >= expLimit) {
    const abs = Math.abs(exp);
    return `${e.slice(0, ePos)}e${exp < 0 ? "-" : "+"}${abs < 10 ? "0" + abs : abs}`;
  }
  // JS prints these exponents in plain decimal with the same shortest digits.
  return String(v);
}

export function formatGoFloat(v: number): string {
  return withThreshold(v, 6);
}

export function formatGoFloatV(v: number): string {
  return withThreshold(v, 21);
}

export function formatGoFloatFixed(v: number): string {
  // JS prints plain decimals with the same shortest digits in this range (the hot path of API answers).
  const a = v < 0 ? -v : v;
  if (a >= 1e-6 && a < 1e21) return String(v);
  const sp = special(v);
  if (sp !== undefined) return sp;
  const { negative, digits, exp } = shortestDigits(v);
  return fixed(negative, digits, exp);
}
