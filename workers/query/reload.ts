/**
 * @module
 * `POST|PUT /-/reload`, as Prometheus's lifecycle API: the config store reads
 * the config again; an invalid one is refused (500, "failed to reload
 * config: …", as Prometheus) and the old one stays. On success every role
 * that keeps config-derived state is told at once: add yours to
 * `notifyReload` (the rules evaluator will).
 */
import { Hono } from "hono";
import type { Env } from "../env.ts";
import { reloadConfig } from "../config/index.ts";
import { allScrapers } from "../scraper/stub.ts";

/** Tells every role the config changed (each compares the config hash itself). */
export async function notifyReload(env: Env): Promise<void> {
  await Promise.all(allScrapers(env).map(({ index, stub }) => stub.applyConfig(index)));
}

export function reloadRoutes() {
  const app = new Hono<{ Bindings: Env }>();
  app.on(["POST", "PUT"], "/-/reload", async (c) => {
    let cur;
    try {
      cur = await reloadConfig(c.env);
    } catch (e) {
      return c.text(`failed to reload config: ${(e as Error).message}\n`, 500);
    }
    if (!cur.lastReloadSuccessful) return c.text(`failed to reload config: ${cur.lastError}\n`, 500);
    await notifyReload(c.env);
    return c.body(null, 200);
  });
  app.on(["GET", "HEAD", "DELETE", "PATCH"], "/-/reload", (c) => c.text("Only POST or PUT requests allowed\n", 405));
  return app;
}
