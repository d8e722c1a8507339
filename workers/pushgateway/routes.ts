/**
 * @module
 * The Pushgateway's HTTP API on the same Worker: `/metrics/job/<job>{/<label>/<value>}`
 * (and `/metrics/job@base64/<job>…`) for PUT/POST/DELETE, `/api/v1/status`,
 * `/api/v1/metrics`, `/api/v1/admin/wipe`, and the pushed groups for
 * scraping at `/pushgateway/metrics`. Push bodies are read under the ingest
 * limits (workers/http/body.ts), gzip inflated with a size cap.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Env } from "../env.ts";
import { TEXT_CONTENT_TYPE } from "../../shared/exposition/format.ts";
import { ApiError } from "../../shared/api/errors.ts";
import { capText } from "../../shared/format/cap-text.ts";
import { ingestLimits } from "../limits.ts";
import { readBody } from "../http/body.ts";
import type { PushReply } from "./pushgateway.ts";
import { pushBodyLimits } from "../../shared/pushgateway/index.ts";
import { ownedJobs } from "../../shared/pushgateway/index.ts";
import { currentConfig } from "../config/index.ts";

export function pushgatewayStub(env: Env) {
  return env.PUSHGATEWAY.get(env.PUSHGATEWAY.idFromName("default"));
}

/** The Pushgateway accepts gzip-compressed bodies; anything else but identity is 415. */
function isGzip(c: Context<{ Bindings: Env }>): boolean {
  const enc = (c.req.header("content-encoding") ?? "").trim().toLowerCase();
  if (enc === "" || enc === "identity") return false;
  if (enc === "gzip") return true;
  throw new ApiError("bad_data", `unsupported Content-Encoding ${JSON.stringify(capText(enc))}: push the body plain or gzip-compressed`, 415);
}

/** The object's reply: success as the Pushgateway answers it, a refusal as the ApiError it was. */
function answer(c: Context<{ Bindings: Env }>, r: PushReply): Response {
  if (r.status >= 400) throw new ApiError("bad_data", r.body, r.status);
  return c.body(null, r.status as 200 | 202);
}

export function pushgatewayRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  for (const prefix of ["/metrics/job/*", "/metrics/job@base64/*"]) {
    app.on(["PUT", "POST"], prefix, async (c) => {
      const gzip = isGzip(c);
      const limits = ingestLimits(c.env);
      const push = pushBodyLimits(limits);
      const names = {
        request: push.maxRequestBytes < limits.maxRequestBytes ? "at most 16 MiB for a push" : "MAX_REQUEST_BYTES",
        decoded: push.maxDecodedBytes < limits.maxDecodedBytes ? "at most 16 MiB for a push" : "MAX_DECODED_BYTES",
      };
      const body = await readBody(c.req.raw, push, gzip, names);
      const path = new URL(c.req.url).pathname;
      // With no valid config there is no scrape job to protect; pushes still work.
      const owned = ownedJobs((await currentConfig(c.env).catch(() => undefined))?.config.scrapeConfigs ?? []);
      return answer(c, await pushgatewayStub(c.env).push(c.req.method as "PUT" | "POST", path, body, c.req.header("content-type") ?? null, owned));
    });
    app.delete(prefix, async (c) => answer(c, await pushgatewayStub(c.env).delete(new URL(c.req.url).pathname)));
  }

  app.get("/pushgateway/metrics", async (c) =>
    c.body(await pushgatewayStub(c.env).exposition(), 200, { "content-type": TEXT_CONTENT_TYPE }),
  );
  const json = { "content-type": "application/json" };
  app.get("/api/v1/status", async (c) => c.body(await pushgatewayStub(c.env).status(), 200, json));
  app.get("/api/v1/metrics", async (c) => c.body(await pushgatewayStub(c.env).metricsJson(), 200, json));
  app.put("/api/v1/admin/wipe", async (c) => {
    await pushgatewayStub(c.env).wipe();
    return c.body(null, 202);
  });

  return app;
}
