/**
 * @module
 * The DNS wire format (RFC 1035) as DNS-over-HTTPS (RFC 8484) carries it:
 * queries encoded, answers decoded (name compression included), and records
 * printed the way miekg/dns's RR.String() prints them, which is what
 * blackbox_exporter's validate_*_rrs regexes are written against.
 */

export const RR_TYPES: Readonly<Record<string, number>> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33, NAPTR: 35,
  DS: 43, RRSIG: 46, NSEC: 47, DNSKEY: 48, HTTPS: 65, SVCB: 64, CAA: 257, ANY: 255,
};
export const CLASSES: Readonly<Record<string, number>> = { IN: 1, CS: 2, CH: 3, HS: 4, ANY: 255 };
export const RCODES: Readonly<Record<string, number>> = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, YXDOMAIN: 6, YXRRSET: 7,
  NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADMODE: 19, BADNAME: 20, BADALG: 21, BADTRUNC: 22, BADCOOKIE: 23,
};

function nameOf(table: Readonly<Record<string, number>>, n: number, prefix: string): string {
  for (const [k, v] of Object.entries(table)) if (v === n) return k;
  return `${prefix}${n}`;
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  rdata: Uint8Array;
  /** The record as miekg/dns prints it (`name.\tttl\tIN\tA\t1.2.3.4`). */
  text: string;
  /** The SOA serial, for SOA records. */
  serial?: number;
}

export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  rcode: number;
  questions: Question[];
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

export class DnsWireError extends Error {
  override name = "DnsWireError";
}

/** A fully qualified name with its trailing dot. */
export function fqdn(name: string): string {
  return name.endsWith(".") ? name : `${name}.`;
}

function encodeName(name: string, out: number[]): void {
  const f = fqdn(name);
  if (f !== ".") {
    for (const label of f.slice(0, -1).split(".")) {
      const bytes = new TextEncoder().encode(label);
      if (bytes.length === 0 || bytes.length > 63) throw new DnsWireError(`invalid label "${label}" in ${name}`);
      out.push(bytes.length, ...bytes);
    }
  }
  out.push(0);
}

const u16 = (out: number[], v: number) => out.push((v >> 8) & 0xff, v & 0xff);
const u32 = (out: number[], v: number) => out.push((v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);

/** Encodes a message; records take their `rdata` as is (the test DoH server answers with these). */
export function encodeMessage(m: Partial<DnsMessage> & { questions: Question[] }): Uint8Array {
  const out: number[] = [];
  u16(out, m.id ?? 0);
  const flags =
    (m.response ? 0x8000 : 0) | ((m.opcode ?? 0) << 11) | (m.authoritative ? 0x400 : 0) | (m.truncated ? 0x200 : 0) |
    (m.recursionDesired ? 0x100 : 0) | (m.recursionAvailable ? 0x80 : 0) | ((m.rcode ?? 0) & 0xf);
  u16(out, flags);
  const sections = [m.answer ?? [], m.authority ?? [], m.additional ?? []];
  u16(out, m.questions.length);
  for (const s of sections) u16(out, s.length);
  for (const q of m.questions) {
    encodeName(q.name, out);
    u16(out, q.type);
    u16(out, q.class);
  }
  for (const s of sections) {
    for (const rr of s) {
      encodeName(rr.name, out);
      u16(out, rr.type);
      u16(out, rr.class);
      u32(out, rr.ttl);
      u16(out, rr.rdata.length);
      out.push(...rr.rdata);
    }
  }
  return new Uint8Array(out);
}

/** A query as blackbox sends it (ID 0, as RFC 8484 recommends for caching). */
export function encodeQuery(name: string, type: number, cls: number, recursionDesired: boolean): Uint8Array {
  return encodeMessage({ id: 0, recursionDesired, questions: [{ name, type, class: cls }] });
}

class Reader {
  readonly b: Uint8Array;
  pos = 0;
  constructor(b: Uint8Array) {
    this.b = b;
  }
  need(n: number): void {
    if (this.pos + n > this.b.length) throw new DnsWireError("dns: overflow unpacking message");
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = ((this.b[this.pos]! << 24) | (this.b[this.pos + 1]! << 16) | (this.b[this.pos + 2]! << 8) | this.b[this.pos + 3]!) >>> 0;
    this.pos += 4;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** A possibly compressed name, as text with a trailing dot. */
  name(): string {
    const labels: string[] = [];
    let pos = this.pos;
    let jumped = false;
    for (let hops = 0; ; hops++) {
      if (hops > 127) throw new DnsWireError("dns: too many compression pointers");
      if (pos >= this.b.length) throw new DnsWireError("dns: overflow unpacking domain name");
      const len = this.b[pos]!;
      if (len === 0) {
        if (!jumped) this.pos = pos + 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.b.length) throw new DnsWireError("dns: overflow unpacking domain name");
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        pos = ((len & 0x3f) << 8) | this.b[pos + 1]!;
        continue;
      }
      if (pos + 1 + len > this.b.length) throw new DnsWireError("dns: overflow unpacking domain name");
      labels.push(escapeLabel(this.b.subarray(pos + 1, pos + 1 + len)));
      pos += 1 + len;
    }
    return labels.length === 0 ? "." : `${labels.join(".")}.`;
  }
}

/** Label bytes as miekg/dns prints them: `.` and `\` escaped, non-printables as `\DDD`. */
function escapeLabel(b: Uint8Array): string {
  let s = "";
  for (const c of b) {
    if (c === 0x2e || c === 0x5c || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x20 || c === 0x40 || c === 0x24) s += `\\${String.fromCharCode(c)}`;
    else if (c < 0x21 || c > 0x7e) s += `\\${String(c).padStart(3, "0")}`;
    else s += String.fromCharCode(c);
  }
  return s;
}

function txtString(b: Uint8Array): string {
  let s = "";
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c < 0x20 || c > 0x7e) s += `\\${String(c).padStart(3, "0")}`;
    else s += String.fromCharCode(c);
  }
  return `"${s}"`;
}

function ipv6Text(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** The presentation of rdata for the common types; others as RFC 3597 `\# len hex`. */
function rdataText(msg: Uint8Array, start: number, type: number, rdata: Uint8Array): { text: string; serial?: number } {
  const r = new Reader(msg);
  r.pos = start;
  switch (type) {
    case RR_TYPES.A:
      if (rdata.length === 4) return { text: [...rdata].join(".") };
      break;
    case RR_TYPES.AAAA:
      if (rdata.length === 16) return { text: ipv6Text(rdata) };
      break;
    case RR_TYPES.NS:
    case RR_TYPES.CNAME:
    case RR_TYPES.PTR:
      return { text: r.name() };
    case RR_TYPES.MX: {
      const pref = r.u16();
      return { text: `${pref} ${r.name()}` };
    }
    case RR_TYPES.TXT: {
      const parts: string[] = [];
      const end = start + rdata.length;
      while (r.pos < end) parts.push(txtString(r.bytes(r.u8())));
      return { text: parts.join(" ") };
    }
    case RR_TYPES.SRV: {
      const [prio, weight, port] = [r.u16(), r.u16(), r.u16()];
      return { text: `${prio} ${weight} ${port} ${r.name()}` };
    }
    case RR_TYPES.SOA: {
      const ns = r.name();
      const mbox = r.name();
      const [serial, refresh, retry, expire, minttl] = [r.u32(), r.u32(), r.u32(), r.u32(), r.u32()];
      return { text: `${ns} ${mbox} ${serial} ${refresh} ${retry} ${expire} ${minttl}`, serial };
    }
  }
  return { text: `\\# ${rdata.length}${rdata.length ? " " + [...rdata].map((x) => x.toString(16).padStart(2, "0")).join("") : ""}` };
}

export function typeName(t: number): string {
  return nameOf(RR_TYPES, t, "TYPE");
}

function className(c: number): string {
  return nameOf(CLASSES, c, "CLASS");
}

export function rcodeName(r: number): string {
  return nameOf(RCODES, r, "RCODE");
}

function readRR(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const len = r.u16();
  const start = r.pos;
  const rdata = r.bytes(len);
  // OPT pseudo-records (EDNS) print differently in miekg; their header is enough here.
  const { text, serial } = type === 41 ? { text: "", serial: undefined } : rdataText(r.b, start, type, rdata);
  const rr: ResourceRecord = { name, type, class: cls, ttl, rdata, text: `${name}\t${ttl}\t${className(cls)}\t${typeName(type)}\t${text}` };
  if (serial !== undefined) rr.serial = serial;
  return rr;
}

export function decodeMessage(b: Uint8Array): DnsMessage {
  const r = new Reader(b);
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()];
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]!; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  const section = (n: number) => Array.from({ length: n }, () => readRR(r));
  return {
    id,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x400) !== 0,
    truncated: (flags & 0x200) !== 0,
    recursionDesired: (flags & 0x100) !== 0,
    recursionAvailable: (flags & 0x80) !== 0,
    rcode: flags & 0xf,
    questions,
    answer: section(counts[1]!),
    authority: section(counts[2]!),
    additional: section(counts[3]!),
  };
}
