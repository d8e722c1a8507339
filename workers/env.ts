/**
 * @module
 * The Worker's bindings, as declared in wrangler.toml.
 */
import type { HeadShard } from "./head/head-shard.ts";
import type { ScrapeScheduler } from "./scraper/scheduler.ts";
import type { Pushgateway } from "./pushgateway/pushgateway.ts";
import type { Alertmanager } from "./alertmanager/alertmanager.ts";
import type { RuleGroups } from "./rules/rule-groups.ts";

export interface Env {
  HEAD_SHARD: DurableObjectNamespace<HeadShard>;
  SCRAPER: DurableObjectNamespace<ScrapeScheduler>;
  PUSHGATEWAY: DurableObjectNamespace<Pushgateway>;
  BLOCKS: R2Bucket;
  DB: D1Database;
  /** Number of head shards series are hashed over. */
  HEAD_SHARDS: string;
  /** Number of scrape scheduler objects targets are spread over. */
  SCRAPE_SHARDS?: string;
  /** Scrape targets with this address are served in-process. */
  SELF_ADDRESS: string;
  /** prometheus.yml text overriding the bundled config/prometheus.yml. */
  PROMETHEUS_CONFIG?: string;
  /** File name used in config error messages for PROMETHEUS_CONFIG. */
  PROMETHEUS_CONFIG_FILE?: string;
  /** When set (a secret), ingest endpoints require `Authorization: Bearer <WRITE_TOKEN>`. */
  WRITE_TOKEN?: string;
  /** "false" keeps the scheduler from arming itself (worker tests drive it by hand). */
  SCRAPE_AUTOSTART?: string;
  // Alertmanager (workers/alertmanager): the dispatcher object and the notification queue.
  ALERTMANAGER: DurableObjectNamespace<Alertmanager>;
  NOTIFICATIONS: Queue<unknown>;
  /** Cloudflare's send_email binding (optional): the second email transport. */
  EMAIL?: SendEmail;
  /** alertmanager.yml text overriding the bundled config/alertmanager.yml (a secret when deployed). */
  ALERTMANAGER_CONFIG?: string;
  /** File name used in config error messages for ALERTMANAGER_CONFIG. */
  ALERTMANAGER_CONFIG_FILE?: string;
  /** The files alertmanager.yml's `templates:` name, as JSON {"path": "text"} (npm start passes them). */
  ALERTMANAGER_TEMPLATES?: string;
  /** "send_email" sends email through the EMAIL binding instead of SMTP. */
  ALERTMANAGER_EMAIL_TRANSPORT?: string;
  /** First retry delay of a failed notification, doubled on each retry (default 10). */
  NOTIFY_RETRY_BASE_SECONDS?: string;

  // ---- Rules and alerting ----
  RULE_GROUPS: DurableObjectNamespace<RuleGroups>;
  /** Rule files named by rule_files, as JSON {"path relative to the config": "text"} (npm start passes them; a deploy bundles config/rule-files.ts). */
  PROMETHEUS_RULES?: string;
  /** Number of RuleGroups objects rule groups are spread over (default 1). */
  RULE_SHARDS?: string;
  /** Prometheus's --web.external-url (alert generator URLs, templates); default http://SELF_ADDRESS. */
  EXTERNAL_URL?: string;
}
