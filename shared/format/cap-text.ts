/**
 * @module
 * Error messages quote what the client sent, but never more than a line's
 * worth: a 50 MB body must not come back in a 400.
 */

/** How much of the offending input an error message quotes. */
export const QUOTE_LIMIT = 100;

/** At most `max` characters of s, then how many were left out. */
export function capText(s: string, max = QUOTE_LIMIT): string {
  if (s.length <= max) return s;
  // Never split a surrogate pair.
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}... (${s.length - end} more characters)`;
}

/** s quoted by `quote`, at most `max` characters of it, then how many were left out. */
export function quoteCapped(s: string, quote: (x: string) => string = JSON.stringify, max = QUOTE_LIMIT): string {
  if (s.length <= max) return quote(s);
  const cut = capText(s, max);
  const at = cut.lastIndexOf("... (");
  return quote(cut.slice(0, at)) + cut.slice(at);
}
