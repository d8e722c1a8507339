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

/**
 * An error message with every quoted run ("…" or `…`) longer than `max` characters
 * cut to `max`, then the whole capped at 10 × `max`: for messages built by
 * code that quotes input without knowing how long it is.
 */
export function capQuotedRuns(message: string, max = QUOTE_LIMIT): string {
  if (message.length <= max) return message;
  // "…" with escapes, or Go's raw `…` (regexp errors quote that way).
  const out = message.replace(/"((?:[^"\\]|\\.)*)"|`([^`]*)`/g, (whole, quoted: string | undefined, raw: string | undefined) => {
    if (raw !== undefined) return raw.length <= max ? whole : `\`${raw.slice(0, max)}\`... (${raw.length - max} more characters)`;
    const inner = quoted!;
    if (inner.length <= max) return whole;
    let cut = inner.slice(0, max);
    // Never end inside an escape sequence.
    const slashes = /\\*$/.exec(cut)![0].length;
    if (slashes % 2 === 1) cut = cut.slice(0, -1);
    return `"${cut}"... (${inner.length - cut.length} more characters)`;
  });
  return capText(out, 10 * max);
}
