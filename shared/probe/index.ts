/**
 * @module
 * blackbox_exporter's probes, pure: blackbox.yml, the prober registry, one
 * probe's run over injected I/O, and its metrics.
 */
export { parseBlackboxConfig } from "./config.ts";
export type { BlackboxConfig, ProbeModule } from "./config.ts";
export { PROBERS, UNSUPPORTED_PROBERS } from "./registry.ts";
export { runProbe, debugPage, probeTimeoutSeconds } from "./run.ts";
export type { ProbeOutcome } from "./run.ts";
export type { ProbeIO, ProbeSocket, SecureTransport } from "./context.ts";
export { mergeFamilies } from "./metrics.ts";
export { REGIONS, parseRegions } from "./regions.ts";
export type { Region } from "./regions.ts";
export { serveProbe, ProbeRequestError } from "./endpoint.ts";
export type { ProbeExecutor } from "./endpoint.ts";
