/**
 * @module
 * The Worker's entry: wires handlers and exports the Durable Object classes.
 */
import type { Env } from "./env.ts";
import { createApp } from "./query/app.ts";
import { allScrapers } from "./scraper/stub.ts";
import { handleNotificationBatch } from "./alertmanager/queue.ts";
import { alertmanagerStub } from "./alertmanager/load-config.ts";
import { allRuleShards } from "./rules/stub.ts";

export { HeadShard } from "./head/head-shard.ts";
export { ScrapeScheduler } from "./scraper/scheduler.ts";
export { Pushgateway } from "./pushgateway/pushgateway.ts";
export { Alertmanager } from "./alertmanager/alertmanager.ts";
export { RuleGroups } from "./rules/rule-groups.ts";

const app = createApp();

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
