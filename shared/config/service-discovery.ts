/**
 * @module
 * The `*_sd_configs` and `static_configs` of a scrape or Alertmanager config.
 * static, http and dns discovery work on Workers (DNS through
 * DNS-over-HTTPS); every other kind is refused with a message naming it.
 */
import { isLegacyLabelName } from "../labels/labels.ts";
import { ADDRESS_LABEL } from "../discovery/target-group.ts";
import type { TargetGroup } from "../discovery/target-group.ts";
import type { DnsRecordType, DnsSdConfig, HttpSdConfig, ServiceDiscovery } from "./types.ts";
import { HTTP_CLIENT_FIELDS, readHttpClient } from "./http-client.ts";
import { YamlStruct, decode } from "./yaml-reader.ts";
import { readKubernetesSd } from "./kubernetes-sd.ts";
import type { YamlFile, YamlNode } from "./yaml-reader.ts";

export const SUPPORTED_SD_FIELDS = ["static_configs", "http_sd_configs", "dns_sd_configs", "kubernetes_sd_configs"] as const;

/** Prometheus's other discovery kinds: known, so a clear "not supported" beats "field not found". */
const UNSUPPORTED_SD_FIELDS = [
  "aws", "azure", "consul", "digitalocean", "docker", "dockerswarm", "ec2", "eureka", "file", "gce",
  "hetzner", "ionos", "kuma", "lightsail", "linode", "marathon", "nerve", "nomad", "oci",
  "openstack", "outscale", "ovhcloud", "puppetdb", "scaleway", "serverset", "stackit", "triton", "uyuni", "vultr",
].map((k) => `${k}_sd_configs`);

export const SD_FIELDS: readonly string[] = [...SUPPORTED_SD_FIELDS, ...UNSUPPORTED_SD_FIELDS];

/** Pyrometer's default DNS-over-HTTPS resolver for dns_sd_configs. */
export const DEFAULT_DOH_URL = "https://cloudflare-dns.com/dns-query";

const DNS_TYPES: readonly DnsRecordType[] = ["SRV", "A", "AAAA", "MX", "NS"];

/**
 * Reads the discovery fields of `s`. `checkAddresses` applies Prometheus's
 * CheckTargetAddress to static targets (done when no relabel rules could
 * rewrite `__address__`): a URL there is a common mistake.
 */
export function readServiceDiscovery(s: YamlStruct, checkAddresses: boolean): ServiceDiscovery {
  for (const f of UNSUPPORTED_SD_FIELDS) {
    if (!s.has(f)) continue;
    const hint = f === "file_sd_configs"
      ? "Workers have no file system; serve the target list over HTTP and use http_sd_configs"
      : "use static_configs, http_sd_configs, dns_sd_configs or kubernetes_sd_configs";
    throw s.error(f, `${f} is not supported on Cloudflare Workers: ${hint}`);
  }
  return {
    staticConfigs: s.list("static_configs", "discovery.StaticConfig", (n, i) => readStaticConfig(s.file, n, i, s.lineOf("static_configs"), checkAddresses)),
    httpSdConfigs: s.list("http_sd_configs", "[]http.SDConfig", (n) => readHttpSd(s.file, n, s.lineOf("http_sd_configs"))),
    dnsSdConfigs: s.list("dns_sd_configs", "[]dns.SDConfig", (n) => readDnsSd(s.file, n, s.lineOf("dns_sd_configs"))),
    kubernetesSdConfigs: s.list("kubernetes_sd_configs", "[]kubernetes.SDConfig", (n) => readKubernetesSd(s.file, n, s.lineOf("kubernetes_sd_configs"))),
  };
}

/** Labels of a target group or of external_labels: names must be valid, values are strings. */
export function readLabelSet(s: YamlStruct, field: string): Record<string, string> {
  const labels = s.stringMap(field);
  for (const name of Object.keys(labels)) {
    if (!isLegacyLabelName(name)) throw s.error(field, `"${name}" is not a valid label name`);
  }
  return labels;
}

function readStaticConfig(file: YamlFile, node: YamlNode | null, index: number, parentLine: number, checkAddresses: boolean): TargetGroup {
  const g = new YamlStruct(file, node, "targetgroup.Group", ["targets", "labels"], parentLine);
  return {
    source: String(index),
    targets: g.list("targets", "[]string", (n) => {
      const addr = decode.string(file, n);
      if (checkAddresses && addr.includes("/")) throw file.error(n, `"${addr}" is not a valid hostname`);
      return { [ADDRESS_LABEL]: addr };
    }),
    labels: readLabelSet(g, "labels"),
  };
}

/** Throws when `url` is not an absolute http(s) URL (fetch needs one). */
export function checkHttpUrl(s: YamlStruct, field: string, url: string): void {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw s.error(field, `invalid URL "${url}": must be an absolute http or https URL`);
  }
  if (scheme !== "http:" && scheme !== "https:") throw s.error(field, "URL scheme must be 'http' or 'https'");
}

function readHttpSd(file: YamlFile, node: YamlNode | null, parentLine: number): HttpSdConfig {
  const s = new YamlStruct(file, node, "http.SDConfig", ["url", "refresh_interval", ...HTTP_CLIENT_FIELDS], parentLine);
  const url = s.string("url");
  if (url === "") throw s.error("url", "URL is missing");
  checkHttpUrl(s, "url", url);
  return {
    url,
    refreshInterval: s.duration("refresh_interval", 60_000),
    httpClient: readHttpClient(s, { followRedirects: true, enableHttp2: true }),
    line: s.line,
  };
}

function readDnsSd(file: YamlFile, node: YamlNode | null, parentLine: number): DnsSdConfig {
  const s = new YamlStruct(file, node, "dns.SDConfig", ["names", "type", "port", "refresh_interval", "doh_url"], parentLine);
  const names = s.stringList("names");
  if (names.length === 0) throw s.error("names", "DNS-SD config must contain at least one SRV record name");
  const typeText = s.string("type", "SRV");
  const type = typeText.toUpperCase() as DnsRecordType;
  if (!DNS_TYPES.includes(type)) throw s.error("type", `invalid DNS-SD records type ${typeText}`);
  const port = s.uint("port");
  if (type !== "SRV" && port === 0) throw s.error("port", "a port is required in DNS-SD configs for all record types except SRV");
  if (port > 65535) throw s.error("port", `port ${port} is out of range`);
  const dohUrl = s.string("doh_url", DEFAULT_DOH_URL);
  checkHttpUrl(s, "doh_url", dohUrl);
  return { names, type, port, refreshInterval: s.duration("refresh_interval", 30_000), dohUrl, line: s.line };
}

