import { describe, it, expect } from "vitest";
import { BytePool } from "./byte-pool.ts";
import { XorAppender, decodeXor } from "./xor.ts";

describe("BytePool", () => {
  it("hands out regions of 1.5x size classes and reuses freed ones", () => {
    const pool = new BytePool();
    expect([1, 32, 33, 48, 49, 64, 65, 100, 1000].map((n) => pool.alloc(n).size)).toEqual([32, 32, 48, 48, 64, 64, 96, 128, 1024]);
    const a = pool.alloc(40);
    const b = pool.alloc(40);
    expect(a.page).toBe(b.page);
    expect(b.offset - a.offset).toBe(48);
    pool.free(a.page, a.offset, a.size);
    const c = pool.alloc(48);
    expect([c.page, c.offset]).toEqual([a.page, a.offset]);
  });

  it("drops pages whose regions are all free", () => {
    const pool = new BytePool();
    // Pages double from 4 KiB to 64 KiB, so a small pool stays small.
    const regions = Array.from({ length: 4096 }, () => pool.alloc(32));
    expect(pool.capacity).toBe((4 + 8 + 16 + 32 + 64 + 64) * 1024);
    // The regions of the 4 and 8 KiB pages.
    for (const r of regions.slice(0, 128 + 256)) pool.free(r.page, r.offset, r.size);
    expect(pool.capacity).toBe((16 + 32 + 64 + 64) * 1024);
    // The page being filled keeps its freed regions, and reuses them.
    const r = regions[4095]!;
    pool.free(r.page, r.offset, r.size);
    expect(pool.alloc(32).offset).toBe(r.offset);
  });

  it("serves oversized requests unpooled", () => {
    const pool = new BytePool();
    const r = pool.alloc(100_000);
    expect(r.size).toBe(100_000);
    pool.free(r.page, r.offset, r.size);
    expect(pool.capacity).toBe(0);
  });

  it("keeps many interleaved chunks intact while regions move and get reused", () => {
    const pool = new BytePool();
    let seed = 3;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const n = 200;
    const apps = Array.from({ length: n }, () => new XorAppender(pool));
    const want: number[][] = Array.from({ length: n }, () => []);
    for (let k = 0; k < 300; k++) {
      for (let i = 0; i < n; i++) {
        // Restart some chunks so freed, dirty regions get handed out again.
        if (rnd() < 0.01) {
          apps[i]!.release();
          apps[i] = new XorAppender(pool);
          want[i] = [];
        }
        const v = Math.floor(rnd() * 1e6) / 7;
        apps[i]!.append(k * 1000, v);
        want[i]!.push(v);
      }
    }
    apps.forEach((a, i) => expect(Array.from(decodeXor(a.bytes()).v)).toEqual(want[i]));
  });
});
