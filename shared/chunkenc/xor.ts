/**
 * @module
 * Prometheus's XOR chunk encoding (EncXOR, tsdb/chunkenc/xor.go), byte for byte:
 *
 * ```
 * ┌──────────────────────┬──────────────────────────────────────────────┐
 * │ num_samples <uint16> │ bit stream (MSB first, zero-padded)          │
 * └──────────────────────┴──────────────────────────────────────────────┘
 * sample 0:  t  <varint>             v  <64 raw bits>
 * sample 1:  Δt <uvarint>            v  <xor>
 * sample n:  Δ²t <0 | 10+14 | 110+17 | 1110+20 | 1111+64 bits>  v <xor>
 * xor:       0 (same value) | 1 0 <bits in previous window>
 *            | 1 1 <leading:5> <significant:6, 64 as 0> <bits>
 * ```
 *
 * Values are handled as 32-bit halves (no BigInt) and converted through a
 * Float64Array so NaN payloads such as the staleness marker survive exactly.
 */
import { BitReader, BitWriter, OWN_BUFFER } from "./bstream.ts";
import type { ByteAllocator } from "./bstream.ts";
import { readUvarint, readVarint, splitInt64, writeUvarint, writeVarint } from "./varint.ts";

/** Bytes before the bit stream: the big-endian sample count. */
export const XOR_HEADER_BYTES = 2;
/** The uint16 sample count caps a chunk's length. */
export const XOR_MAX_SAMPLES = 65535;

/** "No leading/trailing window yet": the encoder's marker before the first full XOR header. */
const NO_WINDOW = 0xff;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Whether x fits the n-bit delta-of-delta bucket: -(2^(n-1)-1) <= x <= 2^(n-1), as xor.go's bitRange. */
function bitRange(x: number, n: number): boolean {
  const half = 2 ** (n - 1);
  return -(half - 1) <= x && x <= half;
}

/** Builds an XOR chunk sample by sample. */
export class XorAppender {
  #w: BitWriter;
  #num = 0;
  #minT = 0;
  #t = 0;
  #tDelta = 0;
  #vHi = 0;
  #vLo = 0;
  #leading = NO_WINDOW;
  #trailing = 0;

  /** An empty chunk; `alloc` lets many open chunks share pages (see BytePool). */
  constructor(alloc: ByteAllocator = OWN_BUFFER) {
    this.#w = new BitWriter(XOR_HEADER_BYTES, 32, alloc);
  }

  /** Continues an existing chunk: replays it to rebuild the encoder state, then appends after it. */
  static fromBytes(bytes: Uint8Array, alloc: ByteAllocator = OWN_BUFFER): XorAppender {
    const it = new XorIterator(bytes);
    while (it.next());
    if (it.err !== undefined) throw new Error(`XorAppender.fromBytes: ${it.err.message}`);
    const a = new XorAppender(alloc);
    if (it.numSamples === 0) return a;
    a.#num = it.numSamples;
    a.#t = it.t;
    a.#tDelta = it.tDelta;
    a.#vHi = it.valueHi;
    a.#vLo = it.valueLo;
    a.#leading = it.leading;
    a.#trailing = it.trailing;
    a.#minT = it.firstT;
    a.#w.release();
    a.#w = BitWriter.resume(bytes, it.bitsLeft, alloc);
    return a;
  }

  get numSamples(): number {
    return this.#num;
  }

  /** Timestamp of the first sample (0 for an empty chunk). */
  get minTime(): number {
    return this.#minT;
  }

  /** Timestamp of the last sample (0 for an empty chunk). */
  get maxTime(): number {
    return this.#t;
  }

  /** Value of the last sample, bit-exact (0 for an empty chunk). */
  get lastValue(): number {
    u32[HI] = this.#vHi;
    u32[LO] = this.#vLo;
    return f64[0]!;
  }

  /** Appends a sample; t must be an integer (ms). Ordering is the caller's business, as in Prometheus. */
  append(t: number, v: number): void {
    if (this.#num === XOR_MAX_SAMPLES) throw new Error(`XOR chunk is full (${XOR_MAX_SAMPLES} samples)`);
    f64[0] = v;
    // Prometheus's staleness marker is a signaling NaN (0x7ff0000000000002); V8's optimized
    // code may quiet it on the way here (0x7ff8...), so store the marker's exact bits.
    const hi = u32[HI] === 0x7ff80000 && u32[LO] === 2 ? 0x7ff00000 : u32[HI]!;
    const lo = u32[LO]!;
    const w = this.#w;
    let tDelta = 0;
    if (this.#num === 0) {
      writeVarint(w, t);
      w.writeBits(hi, 32);
      w.writeBits(lo, 32);
      this.#minT = t;
    } else if (this.#num === 1) {
      tDelta = t - this.#t;
      writeUvarint(w, tDelta);
      this.#writeValue(hi, lo);
    } else {
      tDelta = t - this.#t;
      const dod = tDelta - this.#tDelta;
      if (dod === 0) {
        w.writeBit(0);
      } else if (bitRange(dod, 14)) {
        w.writeBits(0b10, 2);
        w.writeBits(dod, 14);
      } else if (bitRange(dod, 17)) {
        w.writeBits(0b110, 3);
        w.writeBits(dod, 17);
      } else if (bitRange(dod, 20)) {
        w.writeBits(0b1110, 4);
        w.writeBits(dod, 20);
      } else {
        w.writeBits(0b1111, 4);
        const [dHi, dLo] = splitInt64(dod);
        w.writeBits64(dHi, dLo, 64);
      }
      this.#writeValue(hi, lo);
    }
    this.#t = t;
    this.#tDelta = tDelta;
    // Kept signed so they stay small integers, not boxed heap numbers.
    this.#vHi = hi | 0;
    this.#vLo = lo | 0;
    this.#num++;
    // Keep the header current so iterator() can read the buffer in place.
    w.setByte(0, this.#num >>> 8);
    w.setByte(1, this.#num & 0xff);
  }

  #writeValue(hi: number, lo: number): void {
    const w = this.#w;
    const dHi = (hi ^ this.#vHi) >>> 0;
    const dLo = (lo ^ this.#vLo) >>> 0;
    if (dHi === 0 && dLo === 0) {
      w.writeBit(0);
      return;
    }
    let leading = dHi !== 0 ? Math.clz32(dHi) : 32 + Math.clz32(dLo);
    const trailing = dLo !== 0 ? ctz32(dLo) : 32 + ctz32(dHi);
    // Five bits hold the leading-zero count.
    if (leading >= 32) leading = 31;
    if (this.#leading !== NO_WINDOW && leading >= this.#leading && trailing >= this.#trailing) {
      w.writeBits(0b10, 2);
      writeShifted(w, dHi, dLo, this.#trailing, 64 - this.#leading - this.#trailing);
      return;
    }
    this.#leading = leading;
    this.#trailing = trailing;
    const sig = 64 - leading - trailing;
    w.writeBits(0b11, 2);
    w.writeBits(leading, 5);
    // 64 significant bits do not fit 6 bits; 0 never occurs otherwise, so it stands for 64.
    w.writeBits(sig & 63, 6);
    writeShifted(w, dHi, dLo, trailing, sig);
  }

  /** Length in bytes of the chunk so far, header included. */
  get byteLength(): number {
    return this.#w.byteLength;
  }

  /** The chunk so far, header included (a copy, unaffected by later appends). */
  bytes(): Uint8Array {
    return this.#w.copy();
  }

  /** Iterates the samples appended so far without copying; do not append while iterating. */
  iterator(): XorIterator {
    return new XorIterator(this.#w.view());
  }

  /** Returns the buffer to its allocator; the appender must not be used afterwards. */
  release(): void {
    this.#w.release();
  }
}

/** Writes n bits of (hi:lo) >> shift. */
function writeShifted(w: BitWriter, hi: number, lo: number, shift: number, n: number): void {
  if (shift >= 32) {
    lo = hi >>> (shift - 32);
    hi = 0;
  } else if (shift > 0) {
    lo = ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
    hi >>>= shift;
  }
  w.writeBits64(hi, lo, n);
}

/**
 * Walks an XOR chunk. `next()` advances and returns false at the end or on a
 * corrupt chunk (then `err` says why); `t` and `v` read the current sample.
 */
export class XorIterator {
  readonly #r: BitReader;
  readonly numSamples: number;
  #read = 0;
  #t = 0;
  #firstT = 0;
  #tDelta = 0;
  #vHi = 0;
  #vLo = 0;
  #leading = NO_WINDOW;
  #trailing = 0;
  err: Error | undefined = undefined;

  constructor(bytes: Uint8Array) {
    if (bytes.length < XOR_HEADER_BYTES) {
      this.#r = new BitReader(bytes);
      this.numSamples = 0;
      this.err = new Error(`XOR chunk of ${bytes.length} byte(s) is shorter than its ${XOR_HEADER_BYTES}-byte header`);
      return;
    }
    this.numSamples = (bytes[0]! << 8) | bytes[1]!;
    this.#r = new BitReader(bytes, XOR_HEADER_BYTES);
  }

  get t(): number {
    return this.#t;
  }

  get v(): number {
    u32[HI] = this.#vHi;
    u32[LO] = this.#vLo;
    return f64[0]!;
  }

  /** Writes the current value into out[i] without passing through a JS number. */
  valueInto(out: Float64Array, i: number): void {
    u32[HI] = this.#vHi;
    u32[LO] = this.#vLo;
    out[i] = f64[0]!;
  }

  // Encoder state, for XorAppender.fromBytes.
  get tDelta(): number { return this.#tDelta; }
  get valueHi(): number { return this.#vHi; }
  get valueLo(): number { return this.#vLo; }
  get leading(): number { return this.#leading; }
  get trailing(): number { return this.#trailing; }
  get firstT(): number { return this.#firstT; }
  /** Bits after the current position (the padding once all samples are read). */
  get bitsLeft(): number { return this.#r.remaining; }

  next(): boolean {
    if (this.err !== undefined || this.#read === this.numSamples) return false;
    try {
      this.#step();
    } catch (e) {
      this.err = new Error(`XOR chunk corrupt at sample ${this.#read} of ${this.numSamples}: ${(e as Error).message}`);
      return false;
    }
    this.#read++;
    return true;
  }

  #step(): void {
    const r = this.#r;
    if (this.#read === 0) {
      this.#t = this.#firstT = readVarint(r);
      this.#vHi = r.readBits(32) | 0;
      this.#vLo = r.readBits(32) | 0;
      return;
    }
    if (this.#read === 1) {
      this.#tDelta = readUvarint(r);
    } else {
      let dod = 0;
      if (r.readBit() !== 0) {
        let sz: number;
        if (r.readBit() === 0) sz = 14;
        else if (r.readBit() === 0) sz = 17;
        else if (r.readBit() === 0) sz = 20;
        else sz = 64;
        if (sz === 64) {
          const hi = r.readBits(32);
          dod = (hi | 0) * 4294967296 + r.readBits(32);
        } else {
          dod = r.readBits(sz);
          // Negative values come back as large unsigned ones (docs/bstream.md).
          if (dod > 2 ** (sz - 1)) dod -= 2 ** sz;
        }
      }
      this.#tDelta += dod;
    }
    this.#t += this.#tDelta;
    this.#readValue();
  }

  #readValue(): void {
    const r = this.#r;
    if (r.readBit() === 0) return;
    let leading: number;
    let sig: number;
    if (r.readBit() === 0) {
      // Prometheus's appender, resumed on a chunk, may reuse the iterator's
      // initial window (0, 0) before any window was written: all 64 bits.
      if (this.#leading === NO_WINDOW) {
        this.#leading = 0;
        this.#trailing = 0;
      }
      leading = this.#leading;
      sig = 64 - leading - this.#trailing;
    } else {
      leading = r.readBits(5);
      sig = r.readBits(6);
      if (sig === 0) sig = 64;
      if (leading + sig > 64) throw new Error(`bit window of ${leading} leading and ${sig} significant bits exceeds 64`);
      this.#leading = leading;
      this.#trailing = 64 - leading - sig;
    }
    const trailing = this.#trailing;
    let hi = 0;
    let lo = 0;
    if (sig > 32) {
      hi = r.readBits(sig - 32);
      lo = r.readBits(32);
    } else {
      lo = r.readBits(sig);
    }
    // (hi:lo) << trailing, XORed into the previous value.
    if (trailing >= 32) {
      hi = lo << (trailing - 32);
      lo = 0;
    } else if (trailing > 0) {
      hi = (hi << trailing) | (lo >>> (32 - trailing));
      lo <<= trailing;
    }
    this.#vHi = this.#vHi ^ hi;
    this.#vLo = this.#vLo ^ lo;
  }
}

/** Decodes a whole chunk; throws with the reason when it is corrupt. */
export function decodeXor(bytes: Uint8Array): { t: Float64Array; v: Float64Array } {
  const it = new XorIterator(bytes);
  const t = new Float64Array(it.numSamples);
  const v = new Float64Array(it.numSamples);
  let i = 0;
  while (it.next()) {
    t[i] = it.t;
    it.valueInto(v, i);
    i++;
  }
  if (it.err !== undefined) throw it.err;
  return { t, v };
}
