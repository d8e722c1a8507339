/**
 * @module
 * Request bodies of the ingest endpoints, read as streams under the limits
 * (shared/limits): a body larger than MAX_REQUEST_BYTES is refused with 413
 * from its Content-Length before any of it is read, or as soon as the count
 * passes the limit while streaming (chunked bodies); a gzip body is inflated
 * through DecompressionStream and stopped once MAX_DECODED_BYTES come out,
 * so a gzip bomb costs no more than the limit.
 */
import { ApiError } from "../../shared/api/errors.ts";
import type { IngestLimits } from "../../shared/limits/ingest-limits.ts";
import { concatBytes } from "../../shared/bytes/concat.ts";

export function bodyTooLarge(limit: number, what = "request body", variable = "MAX_REQUEST_BYTES"): ApiError {
  return new ApiError("bad_data", `${what} exceeds the limit of ${limit} bytes (${variable})`, 413);
}

/** What a limit message names as the setting (a route with a lower fixed cap says so). */
export interface LimitNames {
  request: string;
  decoded: string;
}

const VARIABLES: LimitNames = { request: "MAX_REQUEST_BYTES", decoded: "MAX_DECODED_BYTES" };

/** Refuses a request whose declared length is over the limit, before reading any of it. */
export function checkContentLength(req: Request, limits: IngestLimits, names = VARIABLES): void {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limits.maxRequestBytes) {
    throw bodyTooLarge(limits.maxRequestBytes, `request body of ${declared} bytes`, names.request);
  }
}

/** Passes chunks through, erroring with `error()` once more than `limit` bytes have passed. */
function counter(limit: number, error: () => ApiError): TransformStream<Uint8Array, Uint8Array> {
  let n = 0;
  return new TransformStream({
    transform(chunk, ctl) {
      n += chunk.byteLength;
      if (n > limit) ctl.error(error());
      else ctl.enqueue(chunk);
    },
  });
}

/**
 * The request body as a stream of chunks, under MAX_REQUEST_BYTES, inflated
 * (under MAX_DECODED_BYTES) when `gzip` is set. Errors while reading are
 * ApiErrors: 413 over a limit, 400 for a body that is not gzip.
 */
export async function* bodyChunks(req: Request, limits: IngestLimits, gzip = false, names = VARIABLES): AsyncGenerator<Uint8Array> {
  checkContentLength(req, limits, names);
  if (req.body === null) return;
  let failure: ApiError | undefined;
  const fail = (e: ApiError) => () => (failure = e);
  let stream = req.body.pipeThrough(counter(limits.maxRequestBytes, fail(bodyTooLarge(limits.maxRequestBytes, "request body", names.request))));
  if (gzip) {
    stream = stream
      .pipeThrough(new DecompressionStream("gzip"))
      .pipeThrough(counter(limits.maxDecodedBytes, fail(bodyTooLarge(limits.maxDecodedBytes, "decompressed body", names.decoded))));
  }
  const reader = stream.getReader();
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        if (failure) throw failure;
        if (e instanceof ApiError) throw e;
        throw gzip ? new ApiError("bad_data", `body is not valid gzip (Content-Encoding: gzip): ${(e as Error).message}`) : e;
      }
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
    await stream.cancel().catch(() => {});
  }
}

/** The whole body (see bodyChunks), in one array. */
export async function readBody(req: Request, limits: IngestLimits, gzip = false, names = VARIABLES): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of bodyChunks(req, limits, gzip, names)) parts.push(p);
  return concatBytes(parts);
}

/**
 * The body in pieces of whole lines, each about `pieceBytes` or the rest,
 * with the 1-based line number each piece starts at: a text body is parsed
 * a piece at a time, never held whole as text.
 */
export async function* linePieces(chunks: AsyncIterable<Uint8Array>, pieceBytes = 1 << 20): AsyncGenerator<{ bytes: Uint8Array; firstLine: number }> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let nextTry = pieceBytes;
  let line = 1;
  const take = (): Uint8Array => {
    const all = new Uint8Array(pendingBytes);
    let off = 0;
    for (const p of pending) {
      all.set(p, off);
      off += p.byteLength;
    }
    return all;
  };
  for await (const chunk of chunks) {
    pending.push(chunk);
    pendingBytes += chunk.byteLength;
    if (pendingBytes < nextTry) continue;
    const all = take();
    const cut = all.lastIndexOf(10) + 1;
    if (cut === 0) {
      // No newline yet: one long line, kept until it ends (the size limit bounds it); look again at twice the size.
      pending = [all];
      nextTry = 2 * pendingBytes;
      continue;
    }
    nextTry = pieceBytes;
    const piece = all.subarray(0, cut);
    yield { bytes: piece, firstLine: line };
    for (let i = 0; i < piece.length; i++) if (piece[i] === 10) line++;
    pending = cut < all.length ? [all.subarray(cut)] : [];
    pendingBytes = all.length - cut;
  }
  if (pendingBytes > 0) yield { bytes: take(), firstLine: line };
}
