/**
 * @module
 * Kubernetes service discovery (kubernetes_sd_configs): roles, the object
 * store fed by list and watch, and the discovery loop run by the scraper.
 */
export { KubernetesDiscovery, KUBERNETES_REFRESH_MS, WATCH_WINDOW_MS } from "./discovery.ts";
export { ROLES, ALLOWED_SELECTORS, buildGroups, roleResources, matchesHostnamePattern } from "./roles.ts";
export type { Role, Resource, ObjectCache, AttachMetadata } from "./roles.ts";
export { ObjectStore } from "./store.ts";
export type { WatchEvent } from "./store.ts";
export { requestUrl, resourcePath, parseList, parseWatchLines, ResourceExpiredError } from "./client.ts";
export { checkLabelSelector, checkFieldSelector } from "./selectors.ts";
export type * from "./objects.ts";
