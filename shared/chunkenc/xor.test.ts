import { describe, it, expect } from "vitest";
import { XorAppender, XorIterator, decodeXor } from "./xor.ts";
import { BitWriter } from "./bstream.ts";
import { STALE_NAN, isStaleNaN } from "../tsdb/querier.ts";

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}

function encode(ts: ArrayLike<number>, vs: Float64Array): XorAppender {
  const a = new XorAppender();
  for (let i = 0; i < ts.length; i++) a.append(ts[i]!, vs[i]!);
  return a;
}

/** Compares values by bit pattern, so NaN payloads and -0 count. */
function bitsOf(v: Float64Array): string[] {
  return Array.from(new BigUint64Array(v.buffer, v.byteOffset, v.length), (x) => x.toString(16));
}

// Worked out by hand from the format (see xor.ts header):
// s0 t=1000 varint d0 0f, v=1.0 raw 3ff0000000000000; s1 Δt=1000 uvarint e8 07, v same "0";
// s2 dod 0 "0", v=2.0 xor 7ff0.. "11"+lead 00001+sig 001011+11111111111;
// s3 t=4010 dod 10 "10"+00000000001010, v same "0".
const GOLDEN4 = "00 04 d0 0f 3f f0 00 00 00 00 00 00 e8 07 30 97 ff e0 02 80";
// + s4 t=5010 dod -10 "10"+11111111110110, v=3.0 xor 0008.. new window "11"+01100+000001+"1";
// + s5 t=6010 dod 0 "0", v=2.0 reuses the window "10"+"1".
const GOLDEN6 = "00 06 d0 0f 3f f0 00 00 00 00 00 00 e8 07 30 97 ff e0 02 97 fe db 01 a8";

describe("XOR chunk", () => {
  it("stores a staleness marker that V8 quieted (0x7ff8000000000002) with the marker's exact bits", () => {
    // Seen in npm run soak: under load, optimized code set the quiet bit of some markers
    // between the scrape loop and the chunk, and they read back as plain NaN.
    const dv = new DataView(new ArrayBuffer(8));
    dv.setUint32(0, 0x7ff80000);
    dv.setUint32(4, 2);
    const quieted = dv.getFloat64(0);
    expect(isStaleNaN(quieted)).toBe(true);
    const a = new XorAppender();
    a.append(1000, 1);
    a.append(2000, quieted);
    a.append(3000, NaN);
    const it = new XorIterator(a.bytes());
    // A Float64Array: a plain array of doubles would itself quiet the NaN (V8's double elements).
    const got = new Float64Array(3);
    for (let i = 0; it.next(); i++) got[i] = it.v;
    const raw = (x: number) => {
      dv.setFloat64(0, x);
      return [dv.getUint32(0), dv.getUint32(4)];
    };
    expect(raw(got[1]!)).toEqual(raw(STALE_NAN));
    expect(raw(STALE_NAN)).toEqual([0x7ff00000, 2]);
    // An ordinary NaN stays what it is.
    expect(isStaleNaN(got[2]!)).toBe(false);
    expect(Number.isNaN(got[2]!)).toBe(true);
  });

  it("matches hand-computed golden bytes", () => {
    const ts = [1000, 2000, 3000, 4010, 5010, 6010];
    const vs = new Float64Array([1, 1, 2, 2, 3, 2]);
    expect(hex(encode(ts.slice(0, 4), vs.subarray(0, 4)).bytes())).toBe(GOLDEN4);
    const a = encode(ts, vs);
    expect(hex(a.bytes())).toBe(GOLDEN6);
    expect(a.numSamples).toBe(6);
    expect(a.minTime).toBe(1000);
    expect(a.maxTime).toBe(6010);
    const d = decodeXor(a.bytes());
    expect(Array.from(d.t)).toEqual(ts);
    expect(Array.from(d.v)).toEqual(Array.from(vs));
  });

  it("encodes an empty chunk as a bare header", () => {
    const a = new XorAppender();
    expect(hex(a.bytes())).toBe("00 00");
    expect(decodeXor(a.bytes()).t.length).toBe(0);
    expect(XorAppender.fromBytes(a.bytes()).numSamples).toBe(0);
  });

  it("round-trips special values bit-exactly", () => {
    const negNaN = new Float64Array(new BigUint64Array([0xfff8000000000001n]).buffer)[0]!;
    // Set marker slots one by one: an array literal would canonicalize the NaN payload.
    const vs = new Float64Array([0, 0, -0, NaN, 0, Infinity, -Infinity, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 0, 1.5]);
    vs[0] = STALE_NAN;
    vs[4] = STALE_NAN;
    vs[7] = negNaN;
    vs[10] = STALE_NAN;
    expect(isStaleNaN(vs[0]!)).toBe(true);
    const ts = vs.map((_, i) => i * 15_000);
    const d = decodeXor(encode(ts, vs).bytes());
    expect(bitsOf(d.v)).toEqual(bitsOf(vs));
    expect(isStaleNaN(d.v[0]!)).toBe(true);
    expect(isStaleNaN(d.v[10]!)).toBe(true);
    const it = new XorIterator(encode(ts, vs).bytes());
    expect(it.next()).toBe(true);
    expect(isStaleNaN(it.v)).toBe(true);
  });

  it("round-trips random data across every delta-of-delta bucket", () => {
    let seed = 42;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rnd() * 300);
      const ts = new Float64Array(n);
      const vs = new Float64Array(n);
      let t = Math.floor((rnd() - 0.5) * 2 ** 45);
      let v = rnd() * 100;
      for (let i = 0; i < n; i++) {
        const k = rnd();
        // Regular steps with jitter, bucket-edge jumps and huge gaps (64-bit dods, negative dods).
        const step = k < 0.5 ? 15_000 : k < 0.7 ? 15_000 + Math.floor((rnd() - 0.5) * 20) : k < 0.8 ? 8192 : k < 0.85 ? 65536 : k < 0.9 ? 524_289 : k < 0.95 ? Math.floor(rnd() * 2 ** 40) : 1;
        t += step;
        ts[i] = t;
        const r = rnd();
        // No arithmetic on NaNs: STALE_NAN + 1 is the quieted marker, which is stored as the marker itself.
        v = r < 0.3 ? v : r < 0.6 ? (v !== v ? 0 : v + 1) : r < 0.8 ? rnd() * 1e6 : r < 0.85 ? STALE_NAN : r < 0.9 ? -v : Math.floor(rnd() * 100);
        vs[i] = v;
      }
      const bytes = encode(ts, vs).bytes();
      const d = decodeXor(bytes);
      expect(Array.from(d.t)).toEqual(Array.from(ts));
      expect(bitsOf(d.v)).toEqual(bitsOf(vs));
      // Resuming at any point yields the same bytes as appending in one go.
      const cut = Math.floor(rnd() * n);
      const first = encode(ts.subarray(0, cut), vs.subarray(0, cut));
      const resumed = XorAppender.fromBytes(first.bytes());
      expect(resumed.numSamples).toBe(cut);
      for (let i = cut; i < n; i++) resumed.append(ts[i]!, vs[i]!);
      expect(hex(resumed.bytes())).toBe(hex(bytes));
      expect(resumed.minTime).toBe(ts[0]);
      expect(resumed.maxTime).toBe(ts[n - 1]);
    }
  });

  it("iterates the open chunk in place and reports its size", () => {
    const a = new XorAppender();
    const seen: number[] = [];
    for (let i = 0; i < 50; i++) {
      a.append(i * 1000, i % 7);
      const it = a.iterator();
      let n = 0;
      while (it.next()) n++;
      seen.push(n);
      expect(a.byteLength).toBe(a.bytes().length);
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it("resumes over garbage padding bits", () => {
    const a = encode([1000, 2000, 3000, 4010], new Float64Array([1, 1, 2, 2]));
    const bytes = a.bytes();
    bytes[bytes.length - 1]! |= 0x1f; // the 5 padding bits
    const b = XorAppender.fromBytes(bytes);
    b.append(5010, 3);
    b.append(6010, 2);
    expect(hex(b.bytes())).toBe(GOLDEN6);
    // Trailing garbage bytes after the samples are ignored as well.
    const longer = new Uint8Array(bytes.length + 3).fill(0xff);
    longer.set(bytes);
    const c = XorAppender.fromBytes(longer);
    c.append(5010, 3);
    c.append(6010, 2);
    expect(hex(c.bytes())).toBe(GOLDEN6);
  });

  it("reads a value that reuses the initial (0, 0) window, as Prometheus writes after resuming a chunk", () => {
    const w = new BitWriter(2);
    for (const b of [0xd0, 0x0f]) w.writeByte(b); // t0 = 1000
    w.writeBits(0x3ff00000, 32); // v0 = 1.0
    w.writeBits(0, 32);
    for (const b of [0xe8, 0x07]) w.writeByte(b); // Δt = 1000
    w.writeBits(0b10, 2); // reuse window (0, 0): 64 bits of XOR
    w.writeBits(0x7ff00000, 32); // 1.0 ^ 2.0
    w.writeBits(0, 32);
    const bytes = w.copy();
    bytes[1] = 2;
    const d = decodeXor(bytes);
    expect(Array.from(d.t)).toEqual([1000, 2000]);
    expect(Array.from(d.v)).toEqual([1, 2]);
    const a = XorAppender.fromBytes(bytes);
    a.append(3000, 3);
    expect(Array.from(decodeXor(a.bytes()).v)).toEqual([1, 2, 3]);
  });

  it("handles negative timestamps and a 1-sample resume", () => {
    const a = new XorAppender();
    a.append(-5_000, 7);
    const b = XorAppender.fromBytes(a.bytes());
    b.append(-4_000, 8);
    b.append(-2_500, 8);
    const d = decodeXor(b.bytes());
    expect(Array.from(d.t)).toEqual([-5000, -4000, -2500]);
    expect(Array.from(d.v)).toEqual([7, 8, 8]);
  });

  it("reports truncated and malformed chunks instead of crashing", () => {
    const bytes = encode([1000, 2000, 3000, 4010], new Float64Array([1, 1, 2, 2])).bytes();
    const cut = bytes.slice(0, bytes.length - 3);
    const it = new XorIterator(cut);
    let n = 0;
    while (it.next()) n++;
    expect(n).toBeLessThan(4);
    expect(it.err?.message).toMatch(/XOR chunk corrupt at sample \d of 4/);
    expect(() => decodeXor(cut)).toThrow(/corrupt/);
    expect(() => decodeXor(new Uint8Array([1]))).toThrow(/shorter than its 2-byte header/);
    expect(() => XorAppender.fromBytes(cut)).toThrow(/fromBytes/);
  });

  it("refuses more samples than the uint16 header can count", () => {
    const a = new XorAppender();
    for (let i = 0; i < 65535; i++) a.append(i, 1);
    expect(() => a.append(65535, 1)).toThrow(/full/);
    expect(decodeXor(a.bytes()).t.length).toBe(65535);
  });
});
