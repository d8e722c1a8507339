/**
 * @module
 * Ingest endpoints: bulk import of text lines with timestamps, and the
 * Prometheus remote-write 1.0 receiver. Both require the WRITE_TOKEN when it
 * is set (workers/query/auth.ts).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Env } from "../env.ts";
import { shardedAppender, commitToShards } from "../head/shards.ts";
import { parseImport, ParseError as TextParseError } from "../../shared/textparse/index.ts";
import { lastTypeLine } from "../../shared/textparse/pieces.ts";
import { decodeWriteRequest, checkRemoteWriteHeaders } from "../../shared/remote/index.ts";
import type { AppendResult, SeriesData } from "../../shared/tsdb/querier.ts";
import type { Labels } from "../../shared/labels/labels.ts";
import { labelsKey, labelsEqual } from "../../shared/labels/labels.ts";
import { SampleBuffer } from "../../shared/tsdb/memory-samples.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { DEFAULT_INGEST_LIMITS, capText, labelsLimitProblem, maxValidTime, seriesBatchProblem, tooFarInFuture } from "../../shared/limits/ingest-limits.ts";
import type { IngestLimits } from "../../shared/limits/ingest-limits.ts";
import { ingestLimits } from "../limits.ts";
import { bodyChunks, linePieces, readBody } from "../http/body.ts";
import { concatBytes } from "../../shared/bytes/concat.ts";

type Ctx = Context<{ Bindings: Env }>;

/**
 * Import samples grouped by series. Import files hold a series' samples in
 * runs, so a sample with the previous sample's labels skips building the
 * series key and the map lookup. Each new series is checked against the
 * ingest limits and each sample against the future bound (ApiError 400),
 * before anything is stored.
 */
export class ImportBatch {
  #bySeries = new Map<string, { labels: Labels; buf: SampleBuffer }>();
  #last: { labels: Labels; buf: SampleBuffer } | undefined;
  readonly #limits: IngestLimits;
  readonly #maxT: number;

  constructor(limits: IngestLimits = DEFAULT_INGEST_LIMITS, nowMs = Date.now()) {
    this.#limits = limits;
    this.#maxT = maxValidTime(nowMs, limits);
  }

  add(labels: Labels, t: number, v: number): void {
    if (t > this.#maxT) throw new ApiError("bad_data", tooFarInFuture(labels, t, this.#limits));
    let cur = this.#last;
    if (cur === undefined || !labelsEqual(cur.labels, labels)) {
      // The count first: building the key of 100,000 labels is what must not happen.
      if (labels.length > this.#limits.labelLimit) this.#refuse(labels);
      const key = labelsKey(labels);
      cur = this.#bySeries.get(key);
      if (cur === undefined) {
        this.#refuse(labels);
        cur = { labels, buf: new SampleBuffer(64) };
        this.#bySeries.set(key, cur);
      }
      this.#last = cur;
    }
    cur.buf.push(t, v);
  }

  /** Throws the labels' limit problem, if they have one (each new series is checked once). */
  #refuse(labels: Labels): void {
    const problem = labelsLimitProblem(labels, this.#limits);
    if (problem !== undefined) throw new ApiError("bad_data", problem);
  }

  series(): SeriesData[] {
    // Copies of exact size: a view would carry its whole buffer through the RPC's structured clone.
    return [...this.#bySeries.values()].map(({ labels, buf }) => ({ labels, t: buf.t.slice(0, buf.n), v: buf.v.slice(0, buf.n) }));
  }
}

/** The body's Content-Encoding: "" or "gzip"; anything else is refused with 415. */
function contentEncoding(c: Ctx): "" | "gzip" {
  const enc = (c.req.header("content-encoding") ?? "").trim().toLowerCase();
  if (enc === "" || enc === "identity") return "";
  if (enc === "gzip") return "gzip";
  throw new ApiError("bad_data", `unsupported Content-Encoding ${JSON.stringify(capText(enc))}: send the body plain or gzip-compressed`, 415);
}

function rejected(r: AppendResult): number {
  return r.outOfOrder + r.duplicate + r.tooOld;
}

export function ingestRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  app.post("/api/v1/import/prometheus", async (c) => {
    const limits = ingestLimits(c.env);
    const now = Date.now();
    const batch = new ImportBatch(limits, now);
    let parsed = 0;
    // Parsed a piece of whole lines at a time: the body is never held whole as
    // text. The previous piece's last TYPE line goes first, as the parser's state.
    let typeLine: Uint8Array | undefined;
    for await (const piece of linePieces(bodyChunks(c.req.raw, limits, contentEncoding(c) === "gzip"))) {
      const text = typeLine === undefined ? piece.bytes : concatBytes([typeLine, piece.bytes]);
      const firstLine = piece.firstLine - (typeLine === undefined ? 0 : 1);
      try {
        parsed += parseImport(text, now, (ls, v, t) => batch.add(ls, t, v));
      } catch (e) {
        // Nothing is appended from a body that does not parse: the whole request is rejected.
        if (e instanceof TextParseError) {
          throw new ApiError("bad_data", `cannot parse import body: line ${e.line + firstLine - 1}: ${e.detail}`);
        }
        throw e;
      }
      typeLine = lastTypeLine(piece.bytes) ?? typeLine;
    }
    const r = await commitToShards(c.env, batch.series(), { backfill: true });
    return c.json({
      status: "success",
      data: { samplesParsed: parsed, samplesAccepted: r.accepted, outOfOrder: r.outOfOrder, duplicate: r.duplicate, tooOld: r.tooOld },
    });
  });

  app.post("/api/v1/write", async (c) => {
    checkRemoteWriteHeaders(c.req.header("content-type"), c.req.header("content-encoding"));
    const limits = ingestLimits(c.env);
    const req = decodeWriteRequest(await readBody(c.req.raw, limits), { maxDecodedBytes: limits.maxDecodedBytes });
    // As Prometheus's 1.0 receiver, which rolls the whole request back on an
    // out-of-bounds sample: checked before anything is appended, 400 so the
    // sender does not retry.
    const problem = seriesBatchProblem(req.series, limits, Date.now());
    if (problem !== undefined) throw new ApiError("bad_data", problem);
    const appender = shardedAppender(c.env);
    for (const s of req.series) for (let i = 0; i < s.t.length; i++) appender.append(s.labels, s.t[i]!, s.v[i]!);
    const r = await appender.commit();
    // As Prometheus's receiver: invalid series are logged and skipped; samples the
    // head refuses get a 400, which tells the sender not to retry them.
    if (req.invalid.length > 0) console.warn(`remote write: ${req.invalid.length} invalid series dropped, first: ${req.invalid[0]!.labels}: ${req.invalid[0]!.reason}`);
    if (rejected(r) > 0) {
      throw new ApiError("bad_data", `${r.accepted} samples accepted; ${rejected(r)} rejected (out of order ${r.outOfOrder}, duplicate ${r.duplicate}, out of bounds ${r.tooOld})`);
    }
    return c.body(null, 204);
  });

  return app;
}
