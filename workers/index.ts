/**
 * @module
 * The Worker's entry: wires handlers and exports the Durable Object classes.
 */
import type { Env } from "./env.ts";
import { createApp } from "./query/app.ts";
import { allScrapers } from "./scraper/stub.ts";
import { registerSelfScrape } from "./scraper/self-scrape.ts";
import { selfMetrics } from "./query/self-metrics.ts";
import { handleNotificationBatch } from "./alertmanager/queue.ts";
import { alertmanagerStub } from "./alertmanager/load-config.ts";
import { allRuleShards } from "./rules/stub.ts";

export { HeadShard } from "./head/head-shard.ts";
export { ScrapeScheduler } from "./scraper/scheduler.ts";
export { Pushgateway } from "./pushgateway/pushgateway.ts";
export { Prober } from "./probe/prober.ts";
export { ConfigStore } from "./config/store.ts";
export { Alertmanager } from "./alertmanager/alertmanager.ts";
export { RuleGroups } from "./rules/rule-groups.ts";

const app = createApp();

// A scrape of Pyrometer itself is served in-process: /metrics with the calling
// scraper's own statistics, any other path by the app.
registerSelfScrape(async (env, url, local, timeoutMs) => {
  if (new URL(url).pathname === "/metrics") return selfMetrics(env, local);
  const token = env.READ_TOKEN || env.WRITE_TOKEN;
  // The scrape timeout, as Prometheus sends it (/probe sizes its probe by it).
  const headers: Record<string, string> = { "X-Prometheus-Scrape-Timeout-Seconds": String(timeoutMs / 1000) };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await app.fetch(new Request(url, { headers }), { ...env, SELF_SCRAPE: "true" });
  if (res.status !== 200) throw new Error(`server returned HTTP status ${res.status}`);
  return res.text();
});

export default {
  fetch: app.fetch,
  // The cron is a watchdog: it makes sure the scheduler's alarm is armed.
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(Promise.all(allScrapers(env).map(({ index, stub }) => stub.ensureScheduled(index))));
    ctx.waitUntil(Promise.all(allRuleShards(env).map(({ index, stub }) => stub.ensureScheduled(index))));
    ctx.waitUntil(alertmanagerStub(env).ensureScheduled());
  },
  // Alertmanager's notification queue and its dead-letter queue.
  queue: handleNotificationBatch,
} satisfies ExportedHandler<Env>;
