/**
 * @module
 * The RFC 5322/2045 message Alertmanager's email notifier writes:
 * headers (RFC 2047 Q-encoded when not ASCII), a multipart/alternative body
 * with quoted-printable text and HTML parts, CRLF line ends.
 */

export interface MimeInput {
  headers: Record<string, string>;
  html: string;
  text: string;
  date: Date;
  messageId: string;
  /** Fixed boundary for tests; random otherwise. */
  boundary?: string;
}

/** RFC 2047 Q-encoding of a header value when it is not plain printable ASCII (Go's mime.QEncoding). */
export function encodeHeader(v: string): string {
  if (/^[\x20-\x7e]*$/.test(v)) return v;
  const bytes = new TextEncoder().encode(v);
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (b === 0x20) out += "_";
    else if (b >= 0x21 && b <= 0x7e && c !== "=" && c !== "?" && c !== "_") out += c;
    else out += "=" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return `=?UTF-8?q?${out}?=`;
}

/** Quoted-printable (RFC 2045 §6.7) with soft breaks at 76 columns and CRLF hard breaks. */
export function quotedPrintable(s: string): string {
  const lines = s.replace(/\r\n/g, "\n").split("\n");
  const out: string[] = [];
  for (const line of lines) {
    const bytes = new TextEncoder().encode(line);
    let cur = "";
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      const last = i === bytes.length - 1;
      let enc: string;
      if ((b === 0x20 || b === 0x09) && !last) enc = String.fromCharCode(b);
      else if (b >= 0x21 && b <= 0x7e && b !== 0x3d) enc = String.fromCharCode(b);
      else enc = "=" + b.toString(16).toUpperCase().padStart(2, "0");
      if (cur.length + enc.length > 75) {
        out.push(cur + "=");
        cur = "";
      }
      cur += enc;
    }
    out.push(cur);
  }
  return out.join("\r\n");
}

function rfc1123z(d: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function buildMime(m: MimeInput): string {
  const boundary = m.boundary ?? Array.from(crypto.getRandomValues(new Uint8Array(15)), (b) => b.toString(16).padStart(2, "0")).join("");
  const lines: string[] = [];
  for (const [k, v] of Object.entries(m.headers)) lines.push(`${k}: ${encodeHeader(v.replace(/[\r\n]+/g, " "))}`);
  // Alertmanager's order after the configured headers.
  if (!("Message-Id" in m.headers)) lines.push(`Message-Id: ${m.messageId}`);
  if (!("Date" in m.headers)) lines.push(`Date: ${rfc1123z(m.date)}`);
  lines.push(`Content-Type: multipart/alternative;  boundary=${boundary}`);
  lines.push("MIME-Version: 1.0");
  lines.push("");
  for (const [type, body] of [["text/plain", m.text], ["text/html", m.html]] as const) {
    if (body === "") continue;
    lines.push(`--${boundary}`);
    lines.push("Content-Transfer-Encoding: quoted-printable");
    lines.push(`Content-Type: ${type}; charset=UTF-8`);
    lines.push("");
    lines.push(quotedPrintable(body));
  }
  lines.push(`--${boundary}--`);
  lines.push("");
  return lines.join("\r\n");
}
