/**
 * @module
 * Parsing a text body a piece of lines at a time must give what parsing it
 * whole gives. The text parser carries one thing from line to line: the
 * type of the last `# TYPE` line (histogram `le` and summary `quantile`
 * values are normalized by it), so the last TYPE line of a piece is
 * replayed in front of the next.
 */

const HASH = 0x23;
const NL = 0x0a;
const SP = 0x20;
const TAB = 0x09;

function isBlank(c: number | undefined): boolean {
  return c === SP || c === TAB;
}

/** Whether the line starting at `i` is a `# TYPE …` line (blanks allowed after `#`, as the parser takes them). */
function isTypeLine(b: Uint8Array, i: number): boolean {
  if (b[i] !== HASH) return false;
  let k = i + 1;
  while (isBlank(b[k])) k++;
  return b[k] === 0x54 && b[k + 1] === 0x59 && b[k + 2] === 0x50 && b[k + 3] === 0x45 && isBlank(b[k + 4]);
}

/** The last `# TYPE` line of `b`, with its newline, or undefined when it has none. */
export function lastTypeLine(b: Uint8Array): Uint8Array | undefined {
  let end = b.length;
  while (end > 0) {
    let start = end - 1;
    if (b[start] === NL) start--;
    while (start >= 0 && b[start] !== NL) start--;
    start++;
    if (isTypeLine(b, start)) {
      const line = b.slice(start, end);
      if (line[line.length - 1] === NL) return line;
      const out = new Uint8Array(line.length + 1);
      out.set(line);
      out[line.length] = NL;
      return out;
    }
    end = start;
  }
  return undefined;
}
