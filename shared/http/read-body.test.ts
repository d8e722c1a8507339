import { describe, it, expect } from "vitest";
import { readBodyLimited } from "./read-body.ts";

const tooLarge = (n: number) => new Error(`over ${n}`);
const chunked = (...parts: string[]) =>
  new Response(new ReadableStream({ start(c) { for (const p of parts) c.enqueue(new TextEncoder().encode(p)); c.close(); } }));

describe("readBodyLimited", () => {
  it("reads whole bodies up to the limit, across chunks", async () => {
    expect(new TextDecoder().decode(await readBodyLimited(chunked("ab", "cd"), 4, tooLarge))).toBe("abcd");
    expect((await readBodyLimited(chunked("ab", "cd"), 0, tooLarge)).length).toBe(4);
    expect((await readBodyLimited(new Response(null, { status: 204 }), 1, tooLarge)).length).toBe(0);
  });

  it("fails as soon as the limit is passed", async () => {
    await expect(readBodyLimited(chunked("ab", "cde"), 4, tooLarge)).rejects.toThrow("over 4");
  });
});
