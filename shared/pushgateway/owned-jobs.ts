/**
 * @module
 * Forgery guard. The default `pushgateway` scrape job has honor_labels, so a
 * push's job label reaches storage as pushed: anyone could push `up 0` for
 * job="pyrometer". The built-in Pushgateway therefore refuses pushes whose
 * grouping-key job (which overrides any job label in the body) names a job
 * a scrape config owns; the jobs that scrape the Pushgateway itself are not
 * owned. docs/compatibility.md describes the choice.
 */
import type { GroupingKey } from "./grouping-key.ts";
import { ApiError } from "../api/errors.ts";

/** The path the built-in Pushgateway's groups are scraped at. */
export const PUSHGATEWAY_METRICS_PATH = "/pushgateway/metrics";

/** Job names that scrape configs own: every job_name but those scraping the built-in Pushgateway. */
export function ownedJobs(scrapeConfigs: readonly { jobName: string; metricsPath: string }[]): string[] {
  return scrapeConfigs.filter((sc) => sc.metricsPath !== PUSHGATEWAY_METRICS_PATH).map((sc) => sc.jobName);
}

/** Throws ApiError bad_data (400) when the push claims an owned job. */
export function checkNotOwned(key: GroupingKey, owned: readonly string[]): void {
  if (owned.includes(key.job)) {
    throw new ApiError(
      "bad_data",
      `pushing to job ${JSON.stringify(key.job)} is refused: the scrape config with job_name ${JSON.stringify(key.job)} owns that job, and a push would overwrite its series (up, scrape_*) through the pushgateway job's honor_labels; push under another job name`,
    );
  }
}
