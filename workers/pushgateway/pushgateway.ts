/**
 * @module
 * The Pushgateway Durable Object: one object holds every push group
 * (shared/pushgateway), persists them in its SQLite storage after each
 * change, and serves them for scraping. Pushes and deletes are serialized by
 * the object, so their order is kept as the Pushgateway guarantees.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { PushGroups, parseGroupingKeyPath, parsePushBody, statusJson, checkPushLimits, checkNotOwned } from "../../shared/pushgateway/index.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { ingestLimits } from "../limits.ts";

/** SQLite rows hold at most 2 MB; the state is split into parts below that. */
const PART_BYTES = 1_000_000;

/** An ApiError does not cross RPC as itself: its status and message do, and the route throws it again. */
export interface PushReply {
  status: number;
  body: string;
}

export class Pushgateway extends DurableObject<Env> {
  #groups = new PushGroups();
  #started = Date.now();
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS state (part INTEGER PRIMARY KEY, json TEXT NOT NULL)`);
    const parts = [...this.#sql.exec<{ json: string }>(`SELECT json FROM state ORDER BY part`)].map((r) => r.json);
    if (parts.length > 0) this.#groups = PushGroups.fromJSON(JSON.parse(parts.join("")));
  }

  #persist(): void {
    const json = JSON.stringify(this.#groups.toJSON());
    this.ctx.storage.transactionSync(() => {
      this.#sql.exec(`DELETE FROM state`);
      for (let i = 0; i * PART_BYTES < json.length; i++) {
        this.#sql.exec(`INSERT INTO state (part, json) VALUES (?, ?)`, i, json.slice(i * PART_BYTES, (i + 1) * PART_BYTES));
      }
    });
  }

  /**
   * PUT (replace the group) or POST (replace the pushed families) of a
   * decompressed body. `owned`: job names scrape configs own, refused (see shared/pushgateway/owned-jobs.ts).
   */
  push(method: "PUT" | "POST", path: string, body: Uint8Array, contentType: string | null, owned: string[] = []): PushReply {
    try {
      const key = parseGroupingKeyPath(path);
      checkNotOwned(key, owned);
      try {
        const families = parsePushBody(body, contentType);
        checkPushLimits(key, families, ingestLimits(this.env));
        if (method === "PUT") this.#groups.put(key, families, Date.now());
        else this.#groups.post(key, families, Date.now());
      } finally {
        // A rejected push still records push_failure_time_seconds.
        this.#persist();
      }
      return { status: 200, body: "" };
    } catch (e) {
      if (e instanceof ApiError) return { status: e.status, body: e.message };
      throw e;
    }
  }

  delete(path: string): PushReply {
    try {
      this.#groups.delete(parseGroupingKeyPath(path));
      this.#persist();
      return { status: 202, body: "" };
    } catch (e) {
      if (e instanceof ApiError) return { status: e.status, body: e.message };
      throw e;
    }
  }

  wipe(): void {
    this.#groups.wipe();
    this.#persist();
  }

  exposition(): string {
    return this.#groups.exposition();
  }

  /** JSON text: the body of GET /api/v1/metrics (its recursive type does not cross RPC typings well). */
  metricsJson(): string {
    return JSON.stringify(this.#groups.metricsJson());
  }

  /** JSON text: the body of GET /api/v1/status. */
  status(): string {
    return JSON.stringify(statusJson({ startTimeMs: this.#started }));
  }
}
