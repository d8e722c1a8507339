export { parseGroupingKeyPath, groupingKeyPath, decodeBase64Url, encodeBase64Url, unescapeName, type GroupingKey } from "./grouping-key.ts";
export { PushGroups, INCONSISTENT } from "./push-groups.ts";
export { statusJson, type MetricsJson, type StatusInfo } from "./render.ts";
export type { PushGroupsJSON, GroupJSON, FamilyJSON, SampleJSON } from "./persist.ts";
export { PUSH_TIME_METRIC, PUSH_FAILURE_TIME_METRIC } from "./group.ts";
export { parsePushBody } from "./parse-body.ts";
export { checkPushLimits, pushBodyLimits, MAX_PUSH_BYTES } from "./limits.ts";
export { ownedJobs, checkNotOwned, PUSHGATEWAY_METRICS_PATH } from "./owned-jobs.ts";
