/**
 * @module
 * The head as the Durable Object runs it, for the memory and select
 * benches: every CHECKPOINT_SCRAPES scrapes its closed chunks are packed into
 * checkpoint rows (the real planner) and leave the heap (Head.markStored).
 * The rows go to a temporary file here, read back by byte range, standing in
 * for the object's SQLite (which is not in the isolate's heap either).
 */
import { closeSync, openSync, readSync, rmSync, writeSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Head } from "../../shared/tsdb/head.ts";
import { checkpointClosedChunks } from "../../shared/tsdb/checkpoint/closed.ts";
import { spanStore } from "../../shared/tsdb/head-stored.ts";

/**
 * The object checkpoints every 240 WAL rows: a full shard's scrape shard
 * ticks once a second (docs/cost.md), so 240 s, 16 scrapes at 15 s.
 */
export const CHECKPOINT_SCRAPES = 16;

export class FileRows {
  readonly #dir = mkdtempSync(join(tmpdir(), "pyrometer-rows-"));
  readonly #fd = openSync(join(this.#dir, "rows"), "w+");
  /** File offset of each row (its slot is its index). */
  readonly #at: number[] = [];
  #end = 0;

  constructor(head: Head) {
    head.store = spanStore((slot, offset, length) => {
      const buf = new Uint8Array(length);
      readSync(this.#fd, buf, 0, length, this.#at[slot]! + offset);
      return buf;
    });
  }

  /** Stores the closed chunks of the series changed since the last call, as the object's checkpoint does. */
  checkpoint(head: Head): void {
    checkpointClosedChunks(head, (row) => {
      this.#at.push(this.#end);
      writeSync(this.#fd, row.data, 0, row.data.length, this.#end);
      this.#end += row.data.length;
      return this.#at.length - 1;
    }, 7_200_000);
  }

  close(): void {
    closeSync(this.#fd);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
