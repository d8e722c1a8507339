/**
 * @module
 * How a scraper serves a scrape of Pyrometer itself without the network (a
 * Worker cannot fetch its own hostname). The HTTP app lives in workers/query,
 * which depends on the scraper; so the entry (workers/index.ts) registers the
 * handler here instead of the scraper importing the app (no import cycle).
 */
import type { Env } from "../env.ts";
import type { ScrapeStats } from "./scheduler.ts";

/** `local` carries the calling scraper shard's own statistics (calling its own stub from its alarm would wait on itself). */
export type SelfScrapeHandler = (env: Env, url: string, local: { shard: number; stats: ScrapeStats }, timeoutMs: number) => Promise<string>;

let handler: SelfScrapeHandler | undefined;

export function registerSelfScrape(h: SelfScrapeHandler): void {
  handler = h;
}

export function selfScrape(env: Env, url: string, local: { shard: number; stats: ScrapeStats }, timeoutMs: number): Promise<string> {
  if (!handler) throw new Error("no in-process scrape handler registered (workers/index.ts registers it)");
  return handler(env, url, local, timeoutMs);
}
