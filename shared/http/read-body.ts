/**
 * @module
 * Reading a response body with a size limit (0 = none), for scrapes and
 * probes: stops reading and cancels the stream as soon as the limit is passed.
 */
import { concatBytes } from "../bytes/concat.ts";

/** The body's bytes; throws `tooLarge(limit)` once more than `limit` bytes came. */
export async function readBodyLimited(res: Response, limit: number, tooLarge: (limit: number) => Error): Promise<Uint8Array> {
  if (res.body === null) return new Uint8Array(0);
  if (limit <= 0) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  return concatBytes(parts);
}
