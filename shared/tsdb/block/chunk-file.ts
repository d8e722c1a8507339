/**
 * @module
 * The chunks/ segment files of a block (tsdb/docs/format/chunks.md):
 *
 * ```
 * ┌──────────────────────────┬─────────────┬─────────────┐
 * │ magic(0x85BD40DD) <4b>   │ version(1)  │ padding <3b>│
 * ├──────────────────────────┴─────────────┴─────────────┤
 * │ len <uvarint> │ encoding <1b> │ data │ CRC32C <4b>   │  per chunk
 * └──────────────────────────────────────────────────────┘
 * ```
 *
 * The CRC covers encoding and data. A chunk reference is
 * (segment index << 32) | offset, where segment 0 is the file `000001`.
 */
import { ByteReader, ByteWriter, CorruptBlockError, prefixedRecordSize } from "./bytes.ts";
import { crc32c } from "./crc32c.ts";

export const CHUNKS_MAGIC = 0x85bd40dd;
export const CHUNKS_FORMAT_V1 = 1;
export const SEGMENT_HEADER_SIZE = 8;
/** Prometheus starts a new segment file before one would pass 512 MiB. */
export const MAX_SEGMENT_SIZE = 512 * 1024 * 1024;
/** Chunk encoding byte for float XOR chunks. */
export const ENCODING_XOR = 1;

const TWO32 = 4294967296;

export function chunkRef(segment: number, offset: number): number {
  return segment * TWO32 + offset;
}

export function unpackChunkRef(ref: number): { segment: number; offset: number } {
  const segment = Math.floor(ref / TWO32);
  return { segment, offset: ref - segment * TWO32 };
}

/** File name of segment `index` inside chunks/: 0 → "000001". */
export function segmentFileName(index: number): string {
  return String(index + 1).padStart(6, "0");
}

/** Appends chunks to segment files, cutting a new file when the current one would pass the limit. */
export class ChunkSegmentsWriter {
  readonly #maxSize: number;
  readonly #done: Uint8Array[] = [];
  #cur: ByteWriter | undefined;
  /** Bytes the caller expects to write in all (chunkFileBytes), so a segment is allocated once at its size. */
  #expect: number;

  constructor(maxSegmentSize = MAX_SEGMENT_SIZE, expectBytes = 0) {
    this.#maxSize = maxSegmentSize;
    this.#expect = expectBytes;
  }

  /** Writes one chunk and returns its reference. */
  write(encoding: number, data: Uint8Array): number {
    const size = 5 + 1 + data.length + 4; // at most: the uvarint prefix of a length < 4 GiB
    if (this.#cur === undefined || (this.#cur.pos + size > this.#maxSize && this.#cur.pos > SEGMENT_HEADER_SIZE)) {
      if (this.#cur !== undefined) {
        this.#expect -= this.#cur.pos;
        this.#done.push(this.#cur.finish());
      }
      // Sized as expected: growing by doubling, then trimming, would hold up to 3 times the file at once.
      this.#cur = new ByteWriter(Math.min(this.#maxSize, this.#expect > 0 ? this.#expect + SEGMENT_HEADER_SIZE : 1 << 20));
      this.#cur.be32(CHUNKS_MAGIC);
      this.#cur.u8(CHUNKS_FORMAT_V1);
      this.#cur.zeros(3);
    }
    const w = this.#cur;
    const ref = chunkRef(this.#done.length, w.pos);
    if (w.pos >= TWO32) throw new RangeError(`chunk segment ${segmentFileName(this.#done.length)} passed 4 GiB`);
    w.uvarint(data.length);
    const crcStart = w.pos;
    w.u8(encoding);
    w.bytes(data);
    w.be32(crc32c(w.view(crcStart)));
    return ref;
  }

  /** The finished segment files, segment 0 first. */
  finish(): Uint8Array[] {
    if (this.#cur !== undefined) this.#done.push(this.#cur.finish());
    this.#cur = undefined;
    return this.#done;
  }
}

/** Bytes a chunk of dataLen bytes takes in a segment file: uvarint length, encoding byte, data, CRC32C. */
export function chunkFileBytes(dataLen: number): number {
  let uvarint = 1;
  for (let n = dataLen; n >= 0x80; n = Math.floor(n / 128)) uvarint++;
  return uvarint + 1 + dataLen + 4;
}

/** Checks a segment's 8-byte header. */
export function checkSegmentHeader(header: Uint8Array, segment: number): void {
  const r = new ByteReader(header, `chunks/${segmentFileName(segment)} header`);
  const magic = r.be32();
  if (magic !== CHUNKS_MAGIC) r.fail(`bad magic 0x${magic.toString(16)}, want 0x${CHUNKS_MAGIC.toString(16)}`);
  const version = r.u8();
  if (version !== CHUNKS_FORMAT_V1) r.fail(`unsupported chunks format version ${version}`);
}

/** Bytes of the chunk record at bytes[pos], or -1 when its length prefix is cut off. */
export function chunkRecordSize(bytes: Uint8Array, pos: number): number {
  return prefixedRecordSize(bytes, pos, 1 + 4);
}

export interface RawChunk {
  encoding: number;
  data: Uint8Array;
}

/** Decodes and CRC-checks the chunk record at bytes[pos]; `base` is the file offset of bytes[0]. */
export function decodeChunk(bytes: Uint8Array, pos: number, base: number, segment: number): RawChunk {
  const fail = (msg: string): never => {
    throw new CorruptBlockError(`chunks/${segmentFileName(segment)}: chunk at offset ${base + pos}: ${msg}`);
  };
  // Inline rather than through ByteReader: this runs once per chunk read.
  let len = 0;
  let mul = 1;
  let p = pos;
  for (;;) {
    if (p >= bytes.length || p - pos >= 5) fail("malformed or truncated length prefix");
    const c = bytes[p++]!;
    len += (c & 0x7f) * mul;
    if (c < 0x80) break;
    mul *= 0x80;
  }
  const crcAt = p + 1 + len;
  if (crcAt + 4 > bytes.length) fail(`truncated: ${len} data bytes announced, ${bytes.length - p - 1} present`);
  const want = ((bytes[crcAt]! << 24) | (bytes[crcAt + 1]! << 16) | (bytes[crcAt + 2]! << 8) | bytes[crcAt + 3]!) >>> 0;
  const got = crc32c(bytes, p, crcAt);
  if (got !== want) fail(`CRC32C mismatch (stored 0x${want.toString(16)}, computed 0x${got.toString(16)})`);
  return { encoding: bytes[p]!, data: bytes.subarray(p + 1, crcAt) };
}
