/**
 * @module
 * Reusable row slots. Deleting a row is billed as a row written, so rows that
 * became redundant (WAL rows a checkpoint covers, checkpoint rows a block
 * cut covers) are not deleted: they are freed here and overwritten in place
 * by the next write (an UPDATE, one row written, instead of INSERT + DELETE).
 * Readers order rows by their sequence number and skip what is redundant by
 * time, so a freed row that still holds old data is harmless.
 */

export interface SlotRow {
  slot: number;
  maxT: number;
}

export class RowSlots {
  /** Live rows: slot to the newest timestamp the row holds. */
  readonly #live = new Map<number, number>();
  #free: number[] = [];
  #nextSlot = 0;

  constructor(rows: readonly SlotRow[] = []) {
    for (const r of rows) {
      this.#live.set(r.slot, r.maxT);
      if (r.slot >= this.#nextSlot) this.#nextSlot = r.slot + 1;
    }
  }

  /** A slot for a new row holding data up to maxT: a freed one (update) or a new one (insert). */
  take(maxT: number): { slot: number; reuse: boolean } {
    const reused = this.#free.pop();
    const slot = reused ?? this.#nextSlot++;
    this.#live.set(slot, maxT);
    return { slot, reuse: reused !== undefined };
  }

  /** Frees every live row whose data all lies before t; returns how many. */
  releaseBefore(t: number): number {
    let n = 0;
    for (const [slot, maxT] of this.#live) {
      if (maxT < t) {
        this.#live.delete(slot);
        this.#free.push(slot);
        n++;
      }
    }
    // Lowest slots first: keeps the table dense.
    if (n > 0) this.#free.sort((a, b) => b - a);
    return n;
  }

  get live(): number {
    return this.#live.size;
  }

  /** Rows in the table, live or free. */
  get total(): number {
    return this.#live.size + this.#free.length;
  }
}
