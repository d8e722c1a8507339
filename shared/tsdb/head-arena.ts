/**
 * @module
 * Closed chunks packed into large shared pages. A Uint8Array per chunk costs
 * about 250 bytes of object overhead on top of ~200 bytes of data; here a
 * chunk costs only its bytes. Pages are append-only, so views handed out stay
 * valid; space of dropped chunks is reclaimed by compacting into new pages.
 */

const MIN_PAGE = 4096;
const MAX_PAGE = 1 << 18;
/** A location packs page index and offset into one number: page * 2^OFFSET_BITS + offset. */
const OFFSET_BITS = 2 ** 20;

export class ChunkArena {
  #pages: Uint8Array[] = [];
  #off = 0;
  #used = 0;

  /** Bytes held by all pages (what the arena costs). */
  get capacity(): number {
    let n = 0;
    for (const p of this.#pages) n += p.length;
    return n;
  }

  /** Bytes written into pages, dropped chunks included until compaction. */
  get used(): number {
    return this.#used;
  }

  /** Copies bytes into the arena and returns their location. */
  put(bytes: Uint8Array): number {
    let page = this.#pages[this.#pages.length - 1];
    if (page === undefined || this.#off + bytes.length > page.length) {
      const last = page?.length ?? MIN_PAGE / 2;
      page = new Uint8Array(Math.max(Math.min(last * 2, MAX_PAGE), bytes.length));
      this.#pages.push(page);
      this.#off = 0;
    }
    page.set(bytes, this.#off);
    const loc = (this.#pages.length - 1) * OFFSET_BITS + this.#off;
    this.#off += bytes.length;
    this.#used += bytes.length;
    return loc;
  }

  /** A view of len bytes at loc (no copy; the bytes never change). */
  view(loc: number, len: number): Uint8Array {
    const page = this.#pages[Math.floor(loc / OFFSET_BITS)]!;
    const off = loc % OFFSET_BITS;
    return page.subarray(off, off + len);
  }
}
