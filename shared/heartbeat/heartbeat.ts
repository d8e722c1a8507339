/**
 * @module
 * Heartbeats (a dead man's switch for cron jobs): `/heartbeat/<name>` is a
 * push to the Pushgateway group `{job="heartbeat", name="<name>"}` holding
 * the expected period, so the group's push_time_seconds is the last ping and
 *
 *   time() - push_time_seconds{job="heartbeat"} > pyrometer_heartbeat_period_seconds
 *
 * turns true when a ping is overdue (HeartbeatMissing in config/rules).
 */
import { parseDuration } from "../promql/duration.ts";

export const HEARTBEAT_JOB = "heartbeat";
export const PERIOD_METRIC = "pyrometer_heartbeat_period_seconds";
export const DEFAULT_PERIOD_MS = 3600_000;
const MAX_PERIOD_MS = 366 * 86400_000;
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export class HeartbeatError extends Error {
  override name = "HeartbeatError";
}

/** The Pushgateway path and body one ping becomes (a PUT: the group holds only the period). */
export function heartbeatPush(name: string, period: string | null): { path: string; body: string } {
  if (!NAME.test(name) || name === "." || name === "..") throw new HeartbeatError(`invalid heartbeat name "${name}": use 1 to 128 of A-Z a-z 0-9 _ . - (not "." or "..")`);
  let ms = DEFAULT_PERIOD_MS;
  if (period !== null && period !== "") {
    try {
      ms = parseDuration(period);
    } catch (e) {
      throw new HeartbeatError(`invalid parameter "period": ${(e as Error).message}`);
    }
    if (ms < 1000 || ms > MAX_PERIOD_MS) throw new HeartbeatError(`invalid parameter "period": ${period} is not between 1s and 366d`);
  }
  return {
    path: `/metrics/job/${HEARTBEAT_JOB}/name/${name}`,
    body: `# HELP ${PERIOD_METRIC} How often the job promised to ping /heartbeat/<name>.\n# TYPE ${PERIOD_METRIC} gauge\n${PERIOD_METRIC} ${ms / 1000}\n`,
  };
}
