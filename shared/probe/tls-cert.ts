/**
 * @module
 * Reading a server's certificates, which neither fetch() nor connect()
 * expose: a TLS 1.2 ClientHello over a plain connection, after which the
 * server sends its certificate chain in the clear (TLS 1.2 encrypts nothing
 * before the Finished messages). The reader stops at the Certificate message
 * and closes; no session is made, nothing is verified here (the probe's own
 * fetch()/connect() verifies). Servers that only speak TLS 1.3 answer with an
 * alert, and then there is no expiry to report.
 */
import { abortable, errorText, ipLiteralVersion } from "./context.ts";
import type { ProbeContext, ProbeIO } from "./context.ts";
import { concatBytes } from "../bytes/concat.ts";

const HANDSHAKE = 22;
const ALERT = 21;
const CERTIFICATE = 11;
const SERVER_HELLO_DONE = 14;

const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const u24 = (v: number) => [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
const withLen16 = (b: number[]) => [...u16(b.length), ...b];

// ECDHE and RSA suites with AES-GCM, ChaCha20 and AES-CBC: what TLS 1.2 servers accept.
const CIPHER_SUITES = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
const GROUPS = [0x001d, 0x0017, 0x0018];
const SIGNATURE_ALGORITHMS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0203, 0x0201];

/** A TLS 1.2 ClientHello record for `host` (SNI unless an IP literal). */
export function clientHello(host: string, random: Uint8Array): Uint8Array {
  const ext = (type: number, body: number[]) => [...u16(type), ...withLen16(body)];
  const extensions: number[] = [];
  if (ipLiteralVersion(host) === undefined) {
    const name = [...new TextEncoder().encode(host)];
    extensions.push(...ext(0x0000, withLen16([0, ...withLen16(name)])));
  }
  extensions.push(
    ...ext(0x000a, withLen16(GROUPS.flatMap(u16))),
    ...ext(0x000b, [1, 0]),
    ...ext(0x000d, withLen16(SIGNATURE_ALGORITHMS.flatMap(u16))),
    ...ext(0x0017, []),
    ...ext(0xff01, [0]),
  );
  const body = [
    0x03, 0x03, ...random, 0,
    ...withLen16(CIPHER_SUITES.flatMap(u16)),
    1, 0,
    ...withLen16(extensions),
  ];
  const handshake = [1, ...u24(body.length), ...body];
  return new Uint8Array([HANDSHAKE, 0x03, 0x01, ...u16(handshake.length), ...handshake]);
}

export type ServerFlight = { kind: "certificates"; certificates: Uint8Array[] } | { kind: "alert"; description: number } | { kind: "more" };

/** Collects the server's records until its Certificate message (or an alert). */
export class ServerFlightReader {
  #records: Uint8Array = new Uint8Array(0);
  #handshake: Uint8Array = new Uint8Array(0);

  push(bytes: Uint8Array): ServerFlight {
    this.#records = concatBytes([this.#records, bytes]);
    while (this.#records.length >= 5) {
      const type = this.#records[0]!;
      const len = (this.#records[3]! << 8) | this.#records[4]!;
      if (this.#records.length < 5 + len) break;
      const fragment = this.#records.subarray(5, 5 + len);
      this.#records = this.#records.slice(5 + len);
      if (type === ALERT) return { kind: "alert", description: fragment[1] ?? 0 };
      if (type !== HANDSHAKE) throw new Error(`unexpected TLS record type ${type} before the certificate`);
      this.#handshake = concatBytes([this.#handshake, fragment]);
      for (;;) {
        if (this.#handshake.length < 4) break;
        const msgType = this.#handshake[0]!;
        const msgLen = (this.#handshake[1]! << 16) | (this.#handshake[2]! << 8) | this.#handshake[3]!;
        if (this.#handshake.length < 4 + msgLen) break;
        const msg = this.#handshake.subarray(4, 4 + msgLen);
        this.#handshake = this.#handshake.slice(4 + msgLen);
        if (msgType === CERTIFICATE) return { kind: "certificates", certificates: certificateList(msg) };
        if (msgType === SERVER_HELLO_DONE) throw new Error("the server sent no certificate");
      }
    }
    return { kind: "more" };
  }
}

function certificateList(msg: Uint8Array): Uint8Array[] {
  const total = (msg[0]! << 16) | (msg[1]! << 8) | msg[2]!;
  const out: Uint8Array[] = [];
  let pos = 3;
  while (pos < 3 + total) {
    const len = (msg[pos]! << 16) | (msg[pos + 1]! << 8) | msg[pos + 2]!;
    out.push(msg.slice(pos + 3, pos + 3 + len));
    pos += 3 + len;
  }
  if (pos !== 3 + total || pos > msg.length) throw new Error("malformed TLS Certificate message");
  return out;
}

interface Der {
  tag: number;
  start: number;
  end: number;
}

function derAt(b: Uint8Array, pos: number): Der {
  const tag = b[pos]!;
  let len = b[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error("unsupported DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  if (start + len > b.length) throw new Error("truncated DER");
  return { tag, start, end: start + len };
}

function children(b: Uint8Array, parent: Der): Der[] {
  const out: Der[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const d = derAt(b, pos);
    out.push(d);
    pos = d.end;
  }
  return out;
}

/** UTCTime (YYMMDDHHMMSSZ, years 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSSZ) in Unix seconds. */
function derTime(b: Uint8Array, d: Der): number {
  const s = new TextDecoder().decode(b.subarray(d.start, d.end));
  const m = d.tag === 0x17 ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s) : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (m === null) throw new Error(`unsupported certificate time "${s}"`);
  let year = Number(m[1]);
  if (d.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
}

/** A certificate's notAfter (Unix seconds), from its DER. */
export function certificateNotAfter(der: Uint8Array): number {
  const cert = derAt(der, 0);
  const tbs = children(der, cert)[0]!;
  const fields = children(der, tbs);
  // [0] version is optional; then serialNumber, signature, issuer, validity.
  const validity = fields[fields[0]!.tag === 0xa0 ? 4 : 3]!;
  const [, notAfter] = children(der, validity);
  return derTime(der, notAfter!);
}

/** The certificates `host:port` presents to a TLS 1.2 client, leaf first. */
export async function readPeerCertificates(io: ProbeIO, host: string, port: number, signal: AbortSignal): Promise<Uint8Array[]> {
  const sock = io.connect({ hostname: host, port }, { secureTransport: "off" });
  try {
    await abortable(sock.opened, signal);
    const writer = sock.writable.getWriter();
    await abortable(writer.write(clientHello(host, crypto.getRandomValues(new Uint8Array(32)))), signal);
    const reader = sock.readable.getReader();
    const flight = new ServerFlightReader();
    for (;;) {
      const r = await abortable(reader.read(), signal);
      if (r.done) throw new Error("connection closed before the server's certificate");
      const f = flight.push(r.value);
      if (f.kind === "certificates") return f.certificates;
      if (f.kind === "alert") throw new Error(`the server refused a TLS 1.2 handshake (alert ${f.description})`);
    }
  } finally {
    sock.close().catch(() => undefined);
  }
}

/**
 * probe_ssl_earliest_cert_expiry: the earliest notAfter of the chain the
 * server presents. Costs one more connection; when it cannot be read (a
 * TLS 1.3-only server, a Cloudflare-proxied host connect() may not reach) the
 * gauge is left out and the log says why.
 */
export async function recordCertificateExpiry(ctx: ProbeContext, host: string, port: number): Promise<void> {
  try {
    const certs = await readPeerCertificates(ctx.io, host, port, ctx.signal);
    if (certs.length === 0) throw new Error("the server sent an empty certificate chain");
    ctx.metrics.set("probe_ssl_earliest_cert_expiry", Math.min(...certs.map(certificateNotAfter)));
  } catch (e) {
    ctx.log("info", "Could not read the server's certificate; probe_ssl_earliest_cert_expiry left out", { err: errorText(e) });
  }
}
