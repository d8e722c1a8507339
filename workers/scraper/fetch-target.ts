/**
 * @module
 * One HTTP scrape: Prometheus's request headers, auth, timeout, redirects,
 * body size limit; the response becomes the scrape loop's input.
 */
import type { ScrapeConfig } from "../../shared/config/types.ts";
import type { ScrapeInput } from "../../shared/scrape/scrape-loop.ts";
import { scrapeAcceptHeader, chooseFormat } from "../../shared/textparse/content-type.ts";
import { httpClientHeaders } from "../../shared/discovery/refresh.ts";
import { readBodyLimited } from "../../shared/http/read-body.ts";
import { httpStatusError, scrapeErrorMessage } from "../../shared/scrape/scrape-error.ts";

const USER_AGENT = "Pyrometer/0.1 (Prometheus/3.14.0 compatible)";

function requestHeaders(sc: ScrapeConfig, timeoutMs: number): Headers {
  const h = httpClientHeaders(sc.httpClient);
  h.set("Accept", scrapeAcceptHeader(sc.scrapeProtocols));
  h.set("Accept-Encoding", sc.enableCompression ? "gzip" : "identity");
  h.set("User-Agent", USER_AGENT);
  h.set("X-Prometheus-Scrape-Timeout-Seconds", String(timeoutMs / 1000));
  return h;
}

/**
 * Scrapes `url`. `inProcess` serves the body without a network round trip
 * (Pyrometer's own /metrics: a Worker cannot fetch its own hostname).
 */
export async function scrapeTarget(sc: ScrapeConfig, url: string, timeoutMs: number, inProcess?: () => Promise<string>): Promise<ScrapeInput> {
  if (inProcess) {
    try {
      return { ok: true, body: await inProcess(), format: "prometheus-text" };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
  try {
    const res = await fetch(url, {
      headers: requestHeaders(sc, timeoutMs),
      redirect: sc.httpClient.followRedirects ? "follow" : "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      return { ok: false, error: httpStatusError(res.status) };
    }
    const body = await readBodyLimited(res, sc.bodySizeLimit, (limit) => new Error(`body size limit exceeded (limit: ${limit} bytes)`));
    const choice = chooseFormat(res.headers.get("content-type"), sc.fallbackScrapeProtocol);
    return { ok: true, body, format: choice.format };
  } catch (e) {
    return { ok: false, error: scrapeErrorMessage(url, e as Error) };
  }
}
