/**
 * @module
 * The typed prometheus.yml, every default applied. Durations are in
 * milliseconds, sizes in bytes, limits use 0 for "no limit".
 */
import type { Labels } from "../labels/labels.ts";
import type { RelabelConfig } from "../relabel/config.ts";
import type { TargetGroup } from "../discovery/target-group.ts";

export const SCRAPE_PROTOCOLS = [
  "PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0", "OpenMetricsText0.0.1", "OpenMetricsText1.0.0",
] as const;
export type ScrapeProtocol = (typeof SCRAPE_PROTOCOLS)[number];

/** Proposed to targets in this order when scrape_protocols is not set. */
export const DEFAULT_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = [
  "OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4",
];

export interface ScrapeLimits {
  bodySizeLimit: number;
  sampleLimit: number;
  targetLimit: number;
  labelLimit: number;
  labelNameLengthLimit: number;
  labelValueLengthLimit: number;
  keepDroppedTargets: number;
}

export interface GlobalConfig extends ScrapeLimits {
  scrapeInterval: number;
  scrapeTimeout: number;
  evaluationInterval: number;
  ruleQueryOffset: number;
  externalLabels: Labels;
  /** Undefined when not set: each scrape config then uses DEFAULT_SCRAPE_PROTOCOLS. */
  scrapeProtocols: ScrapeProtocol[] | undefined;
  extraScrapeMetrics: boolean;
  scrapeNativeHistograms: boolean;
  alwaysScrapeClassicHistograms: boolean;
  convertClassicHistogramsToNhcb: boolean;
}

export interface BasicAuth {
  username: string;
  password: string;
}

export interface Authorization {
  /** `Bearer` unless set. */
  type: string;
  credentials: string;
}

/** The `<http_config>` fields that work on Workers (fetch). */
export interface HttpClientConfig {
  basicAuth?: BasicAuth;
  authorization?: Authorization;
  /** Extra request headers: name → values. */
  httpHeaders: Record<string, string[]>;
  followRedirects: boolean;
  /** Accepted for compatibility; fetch negotiates the protocol itself. */
  enableHttp2: boolean;
}

export interface HttpSdConfig {
  url: string;
  refreshInterval: number;
  httpClient: HttpClientConfig;
  line: number;
}

export type DnsRecordType = "SRV" | "A" | "AAAA" | "MX" | "NS";

export interface DnsSdConfig {
  names: string[];
  type: DnsRecordType;
  /** 0 for SRV, whose records carry their own port. */
  port: number;
  refreshInterval: number;
  /** Pyrometer extension: the DNS-over-HTTPS endpoint (JSON API) used for the lookups. */
  dohUrl: string;
  line: number;
}

export type KubernetesRole = "pod" | "service" | "endpoints" | "endpointslice" | "node" | "ingress";

export interface KubernetesSelector {
  role: KubernetesRole;
  label: string;
  field: string;
}

export interface KubernetesSdConfig {
  role: KubernetesRole;
  /** Absolute http(s) URL; required on Workers (there is no in-cluster service account). */
  apiServer: string;
  /** Namespaces to watch; empty means all. */
  namespaces: string[];
  selectors: KubernetesSelector[];
  attachMetadata: { node: boolean; namespace: boolean };
  httpClient: HttpClientConfig;
  line: number;
}

/** Where targets come from; static groups are already expanded. */
export interface ServiceDiscovery {
  staticConfigs: TargetGroup[];
  httpSdConfigs: HttpSdConfig[];
  dnsSdConfigs: DnsSdConfig[];
  kubernetesSdConfigs: KubernetesSdConfig[];
}

export interface ScrapeConfig extends ScrapeLimits, ServiceDiscovery {
  jobName: string;
  scrapeInterval: number;
  scrapeTimeout: number;
  metricsPath: string;
  scheme: "http" | "https";
  /** Query parameters, each name with its values. */
  params: Record<string, string[]>;
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness: boolean;
  scrapeProtocols: ScrapeProtocol[];
  fallbackScrapeProtocol: ScrapeProtocol | undefined;
  enableCompression: boolean;
  extraScrapeMetrics: boolean;
  scrapeNativeHistograms: boolean;
  alwaysScrapeClassicHistograms: boolean;
  convertClassicHistogramsToNhcb: boolean;
  nativeHistogramBucketLimit: number;
  nativeHistogramMinBucketFactor: number;
  httpClient: HttpClientConfig;
  relabelConfigs: RelabelConfig[];
  metricRelabelConfigs: RelabelConfig[];
  /** Where the job is defined, for messages. */
  file: string;
  line: number;
}

export interface AlertmanagerConfig extends ServiceDiscovery {
  scheme: "http" | "https";
  pathPrefix: string;
  timeout: number;
  apiVersion: "v2";
  httpClient: HttpClientConfig;
  relabelConfigs: RelabelConfig[];
  alertRelabelConfigs: RelabelConfig[];
  line: number;
}

export interface AlertingConfig {
  alertRelabelConfigs: RelabelConfig[];
  alertmanagers: AlertmanagerConfig[];
}

export interface RemoteWriteConfig {
  url: string;
  name: string;
  remoteTimeout: number;
  headers: Record<string, string>;
  writeRelabelConfigs: RelabelConfig[];
  sendExemplars: boolean;
  sendNativeHistograms: boolean;
  protobufMessage: "prometheus.WriteRequest" | "io.prometheus.write.v2.Request";
  httpClient: HttpClientConfig;
  line: number;
}

export interface RemoteReadConfig {
  url: string;
  name: string;
  remoteTimeout: number;
  headers: Record<string, string>;
  readRecent: boolean;
  requiredMatchers: Record<string, string>;
  filterExternalLabels: boolean;
  httpClient: HttpClientConfig;
  line: number;
}

export interface StorageConfig {
  /** ms; 0 = out-of-order samples rejected. */
  outOfOrderTimeWindow: number;
  /** ms; undefined = the server's default. */
  retentionTime: number | undefined;
  /** bytes; undefined = no size-based retention. */
  retentionSize: number | undefined;
  maxExemplars: number;
}

export interface PrometheusConfig {
  global: GlobalConfig;
  /** As written (globs relative to the config file); the caller resolves them. */
  ruleFiles: string[];
  /** As written; load each match with parseScrapeConfigFile. */
  scrapeConfigFiles: string[];
  scrapeConfigs: ScrapeConfig[];
  alerting: AlertingConfig;
  remoteWrite: RemoteWriteConfig[];
  remoteRead: RemoteReadConfig[];
  storage: StorageConfig;
  /** Accepted settings that have no effect on Workers, as `file:line: note`. */
  notes: string[];
}
