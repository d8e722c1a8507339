/**
 * @module
 * The Pushgateway's HTTP API on the same Worker: `/metrics/job/<job>{/<label>/<value>}`
 * for PUT/POST/DELETE, `/api/v1/status`, `/api/v1/metrics`, `/api/v1/admin/wipe`,
 * and the pushed groups for scraping at `/pushgateway/metrics`.
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { TEXT_CONTENT_TYPE } from "../../shared/exposition/format.ts";
import { ownedJobs } from "../../shared/pushgateway/index.ts";
import { currentConfig } from "../config/index.ts";

export function pushgatewayStub(env: Env) {
  return env.PUSHGATEWAY.get(env.PUSHGATEWAY.idFromName("default"));
}

/** Bodies may be gzip-compressed, as the Pushgateway accepts. */
async function body(req: Request): Promise<Uint8Array> {
  const enc = (req.headers.get("content-encoding") ?? "").toLowerCase();
  if (enc === "gzip" && req.body) {
    return new Uint8Array(await new Response(req.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  }
  return new Uint8Array(await req.arrayBuffer());
}

export function pushgatewayRoutes() {
  const app = new Hono<{ Bindings: Env }>();

  app.on(["PUT", "POST"], "/metrics/job/*", async (c) => {
    const enc = (c.req.header("content-encoding") ?? "").toLowerCase();
    if (enc !== "" && enc !== "gzip" && enc !== "identity") return c.text(`unsupported Content-Encoding ${enc}\n`, 415);
    const path = new URL(c.req.url).pathname;
    // With no valid config there is no scrape job to protect; pushes still work.
    const owned = ownedJobs((await currentConfig(c.env).catch(() => undefined))?.config.scrapeConfigs ?? []);
    const r = await pushgatewayStub(c.env).push(c.req.method as "PUT" | "POST", path, await body(c.req.raw), c.req.header("content-type") ?? null, owned);
    return c.body(r.body, r.status as 200 | 400 | 415);
  });

  app.delete("/metrics/job/*", async (c) => {
    const r = await pushgatewayStub(c.env).delete(new URL(c.req.url).pathname);
    return c.body(r.body, r.status as 202 | 400);
  });

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
