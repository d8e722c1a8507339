/**
 * @module
 * Byte-level encoders and decoders for the block files: big-endian fixed
 * widths and Go's encoding/binary varints. Integers are JS numbers; a varint
 * beyond 2^53 is refused with an error rather than rounded.
 */

const TWO32 = 4294967296;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Thrown for any malformed block file; the message says which file, section and offset. */
export class CorruptBlockError extends Error {
  override name = "CorruptBlockError";
}

/** A growable output buffer. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  pos = 0;

  constructor(initialSize = 4096) {
    this.#buf = new Uint8Array(Math.max(16, initialSize));
    this.#view = new DataView(this.#buf.buffer);
  }

  #reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(x: number): void {
    this.#reserve(1);
    this.#buf[this.pos++] = x;
  }

  be32(x: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.pos, x >>> 0);
    this.pos += 4;
  }

  /** A non-negative safe integer as 8 big-endian bytes. */
  be64(x: number): void {
    this.#reserve(8);
    this.#view.setUint32(this.pos, Math.floor(x / TWO32));
    this.#view.setUint32(this.pos + 4, x >>> 0);
    this.pos += 8;
  }

  /** Overwrites 4 bytes already written (length placeholders). */
  setBe32(at: number, x: number): void {
    this.#view.setUint32(at, x >>> 0);
  }

  /** A non-negative safe integer as Go's PutUvarint. */
  uvarint(x: number): void {
    this.#reserve(10);
    const b = this.#buf;
    let p = this.pos;
    while (x >= 0x80) {
      b[p++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    b[p++] = x;
    this.pos = p;
  }

  /** A signed safe integer as Go's PutVarint (zig-zag). */
  varint(x: number): void {
    this.uvarint(x >= 0 ? x * 2 : -x * 2 - 1);
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A string as its uvarint UTF-8 byte length, then the bytes. */
  uvarintStr(s: string): void {
    const e = encodeUtf8(s);
    this.uvarint(e.length);
    this.bytes(e);
  }

  /** Writes zero bytes until pos is a multiple of `align`. */
  padTo(align: number): void {
    const rem = this.pos % align;
    if (rem !== 0) this.zeros(align - rem);
  }

  zeros(n: number): void {
    this.#reserve(n);
    this.#buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }

  /** View of bytes written in [start, end), e.g. to checksum a section. */
  view(start: number, end = this.pos): Uint8Array {
    return this.#buf.subarray(start, end);
  }

  /** The bytes written, trimmed to size. */
  /** The bytes written; the writer is done with. No copy when the buffer is exactly full (sized in advance). */
  finish(): Uint8Array {
    return this.pos === this.#buf.length ? this.#buf : this.#buf.slice(0, this.pos);
  }
}

/** UTF-8 bytes of s, with the common all-ASCII case done inline. */
export function encodeUtf8(s: string): Uint8Array {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return utf8Encoder.encode(s);
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Compares strings in UTF-8 byte order, Go's string order, which the index's
 * sorted tables need. UTF-16 order differs only when a surrogate meets a code
 * unit in U+E000..U+FFFF, so only that case is remapped.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Total size of a record made of a uvarint length, that many bytes and
 * `trailer` more bytes, starting at bytes[pos]; -1 when the bytes end inside
 * the length prefix. A malformed prefix gives 0 so that decoding reports it.
 */
export function prefixedRecordSize(bytes: Uint8Array, pos: number, trailer: number): number {
  let len = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) return -1;
    const c = bytes[pos + i]!;
    len += (c & 0x7f) * mul;
    if (c < 0x80) return i + 1 + len + trailer;
    mul *= 0x80;
  }
  return 0;
}

/** A cursor over bytes that came from file offset `base`; errors name `what` and the file offset. */
export class ByteReader {
  readonly b: Uint8Array;
  readonly what: string;
  readonly base: number;
  pos: number;
  end: number;
  #view: DataView;

  constructor(b: Uint8Array, what: string, base = 0, start = 0, end = b.length) {
    this.b = b;
    this.what = what;
    this.base = base;
    this.pos = start;
    this.end = end;
    this.#view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** File offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  fail(msg: string): never {
    throw new CorruptBlockError(`${this.what}: ${msg} at offset ${this.offset}`);
  }

  #need(n: number): void {
    if (this.pos + n > this.end) this.fail(`truncated: need ${n} bytes, ${this.end - this.pos} left`);
  }

  u8(): number {
    this.#need(1);
    return this.b[this.pos++]!;
  }

  be32(): number {
    this.#need(4);
    const x = this.#view.getUint32(this.pos);
    this.pos += 4;
    return x;
  }

  be64(): number {
    this.#need(8);
    const hi = this.#view.getUint32(this.pos);
    const lo = this.#view.getUint32(this.pos + 4);
    if (hi >= 0x200000) this.fail("64-bit value beyond 2^53");
    this.pos += 8;
    return hi * TWO32 + lo;
  }

  uvarint(): number {
    let x = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      this.#need(1);
      const c = this.b[this.pos++]!;
      x += (c & 0x7f) * mul;
      if (c < 0x80) {
        if (x > Number.MAX_SAFE_INTEGER) this.fail("varint beyond 2^53");
        return x;
      }
      mul *= 0x80;
    }
    return this.fail("varint longer than 10 bytes");
  }

  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** A UTF-8 string of n bytes. */
  str(n: number): string {
    this.#need(n);
    const start = this.pos;
    this.pos += n;
    if (n <= 32) {
      let s = "";
      for (let i = start; i < start + n; i++) {
        const c = this.b[i]!;
        if (c >= 0x80) return utf8Decoder.decode(this.b.subarray(start, start + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8Decoder.decode(this.b.subarray(start, start + n));
  }

  uvarintStr(): string {
    return this.str(this.uvarint());
  }

  skip(n: number): void {
    this.#need(n);
    this.pos += n;
  }
}
