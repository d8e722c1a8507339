/**
 * @module
 * A ByteAllocator that carves regions out of shared pages and recycles freed
 * ones. Every typed array costs ~250 bytes of object overhead, so a head with
 * 100k open chunks keeps their buffers here instead of in 100k Uint8Arrays.
 * Size classes step by 1.5× (32, 48, 64, 96, ...) to bound the slack, and a
 * page whose regions are all free is dropped, so the memory of a class that
 * is no longer used (chunks grow through small classes) goes back to the GC.
 */
import type { ByteAllocator } from "./bstream.ts";

const PAGE = 65536;
/** A class's first page; each new one doubles up to PAGE, so a small head does not hold 64 KB per class. */
const FIRST_PAGE = 4096;
const MIN_CLASS = 32;
/** Regions above this get a page of their own and are not recycled. */
const MAX_POOLED = PAGE / 4;

interface Page {
  bytes: Uint8Array;
  /** Offsets of freed regions. */
  free: number[];
  /** Regions handed out and not yet freed. */
  live: number;
}

interface SizeClass {
  size: number;
  /** The page being filled from its end. */
  bump: Page | undefined;
  bumpOff: number;
  /** Pages with freed regions to reuse. */
  withFree: Page[];
}

export class BytePool implements ByteAllocator {
  readonly #classes: SizeClass[] = [];
  readonly #pages = new Map<Uint8Array, Page>();
  #capacity = 0;

  /** Bytes held in pooled pages. */
  get capacity(): number {
    return this.#capacity;
  }

  alloc(size: number): { page: Uint8Array; offset: number; size: number } {
    if (size > MAX_POOLED) return { page: new Uint8Array(size), offset: 0, size };
    const [index, csize] = sizeClass(size);
    const c = (this.#classes[index] ??= { size: csize, bump: undefined, bumpOff: 0, withFree: [] });
    const reuse = c.withFree[c.withFree.length - 1];
    if (reuse !== undefined) {
      const offset = reuse.free.pop()!;
      if (reuse.free.length === 0) c.withFree.pop();
      reuse.live++;
      return { page: reuse.bytes, offset, size: csize };
    }
    if (c.bump === undefined || c.bumpOff + csize > c.bump.bytes.length) {
      const size = Math.min(PAGE, Math.max(FIRST_PAGE, 2 * (c.bump?.bytes.length ?? 0), csize));
      c.bump = { bytes: new Uint8Array(size), free: [], live: 0 };
      c.bumpOff = 0;
      this.#pages.set(c.bump.bytes, c.bump);
      this.#capacity += size;
    }
    const offset = c.bumpOff;
    c.bumpOff += csize;
    c.bump.live++;
    return { page: c.bump.bytes, offset, size: csize };
  }

  free(page: Uint8Array, offset: number, size: number): void {
    const p = this.#pages.get(page);
    if (p === undefined || size === 0) return; // an unpooled region
    const c = this.#classes[sizeClass(size)[0]]!;
    p.live--;
    if (p.live === 0 && p !== c.bump) {
      // Wholly free: forget the page so the GC reclaims it.
      this.#pages.delete(page);
      this.#capacity -= page.length;
      const i = c.withFree.indexOf(p);
      if (i >= 0) c.withFree.splice(i, 1);
      return;
    }
    if (p.free.length === 0) c.withFree.push(p);
    p.free.push(offset);
  }
}

/** The smallest class holding size bytes: [index, class size], classes being 2^k and 3·2^(k-1). */
function sizeClass(size: number): [number, number] {
  const pow2 = Math.max(MIN_CLASS, 2 ** (32 - Math.clz32(size - 1)));
  const threeQuarters = (pow2 / 4) * 3;
  return size <= threeQuarters && threeQuarters >= MIN_CLASS ? [2 * Math.log2(pow2) - 1, threeQuarters] : [2 * Math.log2(pow2), pow2];
}
