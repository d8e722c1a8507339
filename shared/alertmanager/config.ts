/**
 * @module
 * alertmanager.yml: parsing, Alertmanager's defaults and validation
 * (config.Load of Alertmanager 0.25), every error located at `file:line`.
 * Receiver kinds are read by the notifier registry (notifiers/registry.ts).
 */
import { Document, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Matcher } from "../labels/matcher.ts";
import { ConfigError } from "../config/config-error.ts";
import { HTTP_CLIENT_FIELDS, readHttpClient } from "../config/http-client.ts";
import type { HttpClientConfig } from "../config/types.ts";
import { YamlFile, YamlStruct, decode } from "../config/yaml-reader.ts";
import type { YamlNode } from "../config/yaml-reader.ts";
import { newMatcher, parseMatchers, sortMatchers, validLabelName } from "./matchers.ts";
import { NOTIFIERS } from "./notifiers/registry.ts";
import type { Integration } from "./notifiers/types.ts";
import { checkHostPort, checkUrl } from "./notifiers/checks.ts";
import {
  parseDayOfMonthRange, parseMonthRange, parseTimeRange, parseWeekdayRange, parseYearRange, validLocation,
} from "./time-interval.ts";
import type { TimeInterval } from "./time-interval.ts";

export const MINUTE = 60_000;
/** DefaultRouteOpts and DefaultGlobalConfig of Alertmanager. */
export const DEFAULTS = { groupWait: 30_000, groupInterval: 5 * MINUTE, repeatInterval: 4 * 60 * MINUTE, resolveTimeout: 5 * MINUTE };

// Alertmanager decodes each section through a local `plain` type, so yaml errors name config.plain.
const PLAIN = "config.plain";

export interface GlobalConfig {
  resolveTimeout: number;
  httpConfig: HttpClientConfig;
  smtpFrom: string;
  smtpHello: string;
  smtpSmarthost: string;
  smtpAuthUsername: string;
  smtpAuthPassword: string;
  smtpAuthSecret: string;
  smtpAuthIdentity: string;
  smtpRequireTls: boolean;
  slackApiUrl: string;
  pagerdutyUrl: string;
  opsgenieApiUrl: string;
  opsgenieApiKey: string;
  telegramApiUrl: string;
  webexApiUrl: string;
}

const GLOBAL_FIELDS = [
  "resolve_timeout", "http_config", "smtp_from", "smtp_hello", "smtp_smarthost", "smtp_auth_username",
  "smtp_auth_password", "smtp_auth_password_file", "smtp_auth_secret", "smtp_auth_identity", "smtp_require_tls",
  "slack_api_url", "slack_api_url_file", "pagerduty_url", "opsgenie_api_url", "opsgenie_api_key", "opsgenie_api_key_file",
  "wechat_api_url", "wechat_api_secret", "wechat_api_corp_id", "victorops_api_url", "victorops_api_key",
  "victorops_api_key_file", "telegram_api_url", "webex_api_url",
];
const ROUTE_FIELDS = [
  "receiver", "group_by", "match", "match_re", "matchers", "continue", "routes", "group_wait", "group_interval",
  "repeat_interval", "mute_time_intervals", "active_time_intervals",
];
const INHIBIT_FIELDS = ["source_match", "source_match_re", "source_matchers", "target_match", "target_match_re", "target_matchers", "equal"];
const TIME_INTERVAL_FIELDS = ["times", "weekdays", "days_of_month", "months", "years", "location"];
const TOP_FIELDS = ["global", "route", "inhibit_rules", "receivers", "templates", "mute_time_intervals", "time_intervals"];

export interface RouteConfig {
  receiver: string;
  /** undefined: inherit; "..." is groupByAll. */
  groupBy?: string[];
  groupByAll: boolean;
  matchers: Matcher[];
  continue: boolean;
  groupWait?: number;
  groupInterval?: number;
  repeatInterval?: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  routes: RouteConfig[];
  line: number;
}

export interface InhibitRule {
  sourceMatchers: Matcher[];
  targetMatchers: Matcher[];
  equal: string[];
}

export interface Receiver {
  name: string;
  integrations: Integration[];
}

export interface AlertmanagerConfig {
  global: GlobalConfig;
  route: RouteConfig;
  inhibitRules: InhibitRule[];
  receivers: Receiver[];
  timeIntervals: Record<string, TimeInterval[]>;
  templates: string[];
  /** The file's text with every secret shown as `<secret>` (what /api/v2/status returns). */
  original: string;
}

/** Parses alertmanager.yml. Throws ConfigError (`file:line: message`). */
export function parseAlertmanagerConfig(text: string, filename: string): AlertmanagerConfig {
  const file = new YamlFile(text, filename);
  if (file.root === null) throw file.error(1, "no route provided in config");
  const top = new YamlStruct(file, file.root, PLAIN, TOP_FIELDS);
  const global = readGlobal(top.struct("global", PLAIN, GLOBAL_FIELDS));

  const timeIntervals: Record<string, TimeInterval[]> = {};
  for (const field of ["mute_time_intervals", "time_intervals"]) {
    top.list(field, "[]config.TimeInterval", (n) => {
      const s = new YamlStruct(file, n, PLAIN, ["name", "time_intervals"], top.lineOf(field));
      const name = s.string("name");
      if (name === "") throw s.error(undefined, "missing name in time interval");
      if (name in timeIntervals) throw s.error("name", `time interval "${name}" is not unique`);
      timeIntervals[name] = s.list("time_intervals", "[]timeinterval.TimeInterval", (t) => readTimeInterval(file, t, s.lineOf("time_intervals")));
    });
  }

  const names = new Set<string>();
  const receivers = top.list("receivers", "[]config.Receiver", (n) => {
    const r = readReceiver(file, n, global, top.lineOf("receivers"));
    if (names.has(r.name)) throw file.error(n, `notification config name "${r.name}" is not unique`);
    names.add(r.name);
    return r;
  });

  if (!top.has("route")) throw top.error(undefined, "no routes provided");
  const routeNode = top.value("route");
  const route = readRoute(file, routeNode, top.lineOf("route"));
  if (route.receiver === "") throw file.error(routeNode, "root route must specify a default receiver");
  if (route.matchers.length > 0) throw file.error(routeNode, "root route must not have any matchers");
  if (route.muteTimeIntervals.length > 0) throw file.error(routeNode, "root route must not have any mute time intervals");
  if (route.activeTimeIntervals.length > 0) throw file.error(routeNode, "root route must not have any active time intervals");
  checkRoute(file, route, names, timeIntervals);

  const inhibitRules = top.list("inhibit_rules", "[]config.InhibitRule", (n) => readInhibitRule(file, n, top.lineOf("inhibit_rules")));
  const templates = top.stringList("templates");
  return { global, route, inhibitRules, receivers, timeIntervals, templates, original: maskSecrets(text) };
}

function readGlobal(g: YamlStruct): GlobalConfig {
  for (const f of ["smtp_auth_password_file", "slack_api_url_file", "opsgenie_api_key_file", "victorops_api_key_file"]) {
    if (g.has(f)) throw g.error(f, `${f} is not supported on Cloudflare Workers: Workers have no file system; use a secret in the config`);
  }
  if (g.has("slack_api_url") && g.has("slack_api_url_file")) throw g.error("slack_api_url", "at most one of slack_api_url & slack_api_url_file must be configured");
  const url = (f: string, def: string) => (g.has(f) ? checkUrl(g, f, g.string(f)) : def);
  const smarthost = g.string("smtp_smarthost");
  if (smarthost !== "") checkHostPort(g, "smtp_smarthost", smarthost);
  return {
    resolveTimeout: g.duration("resolve_timeout", DEFAULTS.resolveTimeout),
    httpConfig: readHttpClient(g.struct("http_config", PLAIN, HTTP_CLIENT_FIELDS), { followRedirects: true, enableHttp2: true }),
    smtpFrom: g.string("smtp_from"),
    smtpHello: g.string("smtp_hello", "localhost"),
    smtpSmarthost: smarthost,
    smtpAuthUsername: g.string("smtp_auth_username"),
    smtpAuthPassword: g.string("smtp_auth_password"),
    smtpAuthSecret: g.string("smtp_auth_secret"),
    smtpAuthIdentity: g.string("smtp_auth_identity"),
    smtpRequireTls: g.bool("smtp_require_tls", true),
    slackApiUrl: url("slack_api_url", ""),
    pagerdutyUrl: url("pagerduty_url", "https://events.pagerduty.com/v2/enqueue"),
    opsgenieApiUrl: url("opsgenie_api_url", "https://api.opsgenie.com/"),
    opsgenieApiKey: g.string("opsgenie_api_key"),
    telegramApiUrl: url("telegram_api_url", "https://api.telegram.org"),
    webexApiUrl: url("webex_api_url", "https://webexapis.com/v1/messages"),
  };
}

function labelNameMap(s: YamlStruct, field: string): Record<string, string> {
  const m = s.stringMap(field);
  for (const k of Object.keys(m)) if (!validLabelName(k)) throw s.error(field, `invalid label name "${k}"`);
  return m;
}

/** `matchers:` plus the deprecated `match:` / `match_re:` maps, sorted as Alertmanager keeps them. */
function readMatchers(s: YamlStruct, matchersField: string, matchField: string, matchReField: string): Matcher[] {
  const out: Matcher[] = [];
  for (const [k, v] of Object.entries(labelNameMap(s, matchField))) out.push(newMatcher("=", k, v));
  for (const [k, v] of Object.entries(labelNameMap(s, matchReField))) {
    try {
      out.push(newMatcher("=~", k, v));
    } catch (e) {
      throw s.error(matchReField, (e as Error).message);
    }
  }
  s.list(matchersField, "[]string", (n) => {
    const line = decode.string(s.file, n);
    try {
      out.push(...parseMatchers(line));
    } catch (e) {
      throw s.file.error(n, (e as Error).message);
    }
  });
  return sortMatchers(out);
}

function readRoute(file: YamlFile, node: YamlNode | null, parentLine: number): RouteConfig {
  const s = new YamlStruct(file, node, PLAIN, ROUTE_FIELDS, parentLine);
  let groupBy: string[] | undefined;
  let groupByAll = false;
  if (s.written("group_by")) {
    groupBy = s.stringList("group_by");
    const seen = new Set<string>();
    for (const l of groupBy) {
      if (l === "...") {
        if (groupBy.length > 1) throw s.error("group_by", "cannot have wildcard group_by (`...`) and other other labels at the same time");
        groupByAll = true;
        continue;
      }
      if (!validLabelName(l)) throw s.error("group_by", `invalid label name "${l}" in group_by list`);
      if (seen.has(l)) throw s.error("group_by", `duplicated label "${l}" in group_by`);
      seen.add(l);
    }
    if (groupByAll) groupBy = [];
  }
  const opt = (f: string) => (s.has(f) ? s.duration(f, 0) : undefined);
  const groupInterval = opt("group_interval");
  const repeatInterval = opt("repeat_interval");
  if (groupInterval === 0) throw s.error("group_interval", "group_interval cannot be zero");
  if (repeatInterval === 0) throw s.error("repeat_interval", "repeat_interval cannot be zero");
  return {
    receiver: s.string("receiver"),
    groupBy,
    groupByAll,
    matchers: readMatchers(s, "matchers", "match", "match_re"),
    continue: s.bool("continue", false),
    groupWait: opt("group_wait"),
    groupInterval,
    repeatInterval,
    muteTimeIntervals: s.stringList("mute_time_intervals"),
    activeTimeIntervals: s.stringList("active_time_intervals"),
    routes: s.list("routes", "[]*config.Route", (n) => readRoute(file, n, s.lineOf("routes"))),
    line: s.line,
  };
}

function checkRoute(file: YamlFile, r: RouteConfig, receivers: Set<string>, intervals: Record<string, TimeInterval[]>): void {
  if (r.receiver !== "" && !receivers.has(r.receiver)) throw file.error(r.line, `undefined receiver "${r.receiver}" used in route`);
  for (const t of [...r.muteTimeIntervals, ...r.activeTimeIntervals]) {
    if (!(t in intervals)) throw file.error(r.line, `undefined time interval "${t}" used in route`);
  }
  for (const c of r.routes) checkRoute(file, c, receivers, intervals);
}

function readInhibitRule(file: YamlFile, node: YamlNode | null, parentLine: number): InhibitRule {
  const s = new YamlStruct(file, node, PLAIN, INHIBIT_FIELDS, parentLine);
  const equal = s.stringList("equal");
  for (const l of equal) if (!validLabelName(l)) throw s.error("equal", `invalid label name "${l}"`);
  return {
    sourceMatchers: readMatchers(s, "source_matchers", "source_match", "source_match_re"),
    targetMatchers: readMatchers(s, "target_matchers", "target_match", "target_match_re"),
    equal,
  };
}

function readTimeInterval(file: YamlFile, node: YamlNode | null, parentLine: number): TimeInterval {
  const s = new YamlStruct(file, node, PLAIN, TIME_INTERVAL_FIELDS, parentLine);
  const wrap = <T>(field: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw s.error(field, (e as Error).message);
    }
  };
  const ranges = (field: string, parse: (v: string) => { begin: number; end: number }) =>
    s.list(field, "[]string", (n) => {
      const v = isScalar(n) && typeof n.value === "number" ? String(n.value) : decode.string(file, n);
      return wrap(field, () => parse(v));
    });
  const times = s.list("times", "[]timeinterval.TimeRange", (n) => {
    const t = new YamlStruct(file, n, "timeinterval.TimeRange", ["start_time", "end_time"], s.lineOf("times"));
    return wrap("times", () => parseTimeRange(t.string("start_time"), t.string("end_time")));
  });
  const location = s.string("location", "UTC");
  if (!validLocation(location)) throw s.error("location", `unknown time zone ${location}`);
  return {
    times,
    weekdays: ranges("weekdays", parseWeekdayRange),
    daysOfMonth: ranges("days_of_month", parseDayOfMonthRange),
    months: ranges("months", parseMonthRange),
    years: ranges("years", parseYearRange),
    location,
  };
}

function readReceiver(file: YamlFile, node: YamlNode | null, global: GlobalConfig, parentLine: number): Receiver {
  const fields = ["name", ...NOTIFIERS.map((k) => k.configField), ...UNSUPPORTED_KINDS];
  const s = new YamlStruct(file, node, PLAIN, fields, parentLine);
  const name = s.string("name");
  if (name === "") throw s.error(undefined, "missing name in receiver");
  for (const f of UNSUPPORTED_KINDS) {
    if (s.has(f)) throw s.error(f, `${f} are not supported by Pyrometer's Alertmanager (supported: ${NOTIFIERS.map((k) => k.configField).join(", ")})`);
  }
  const integrations: Integration[] = [];
  for (const kind of NOTIFIERS) {
    s.list(kind.configField, `[]*config.${kind.typeName}`, (n) => {
      const c = new YamlStruct(file, n, PLAIN, ["send_resolved", ...(kind.http ? ["http_config"] : []), ...kind.fields], s.lineOf(kind.configField));
      const http = kind.http
        ? (c.has("http_config") ? readHttpClient(c.struct("http_config", PLAIN, HTTP_CLIENT_FIELDS), { followRedirects: true, enableHttp2: true }) : global.httpConfig)
        : undefined;
      integrations.push({
        kind: kind.name,
        index: integrations.filter((i) => i.kind === kind.name).length,
        sendResolved: c.bool("send_resolved", kind.sendResolved),
        http,
        settings: kind.read(c, global),
      });
    });
  }
  return { name, integrations };
}

// Receiver kinds Alertmanager has that Pyrometer does not deliver: refused by name rather than ignored.
const UNSUPPORTED_KINDS = [
  "pushover_configs", "victorops_configs", "wechat_configs", "sns_configs", "webex_configs", "msteamsv2_configs",
  "jira_configs", "rocketchat_configs", "mattermost_configs", "incidentio_configs",
];

// Keys whose values are secrets wherever they appear (Alertmanager's Secret and SecretURL fields).
const SECRET_KEYS = new Set([
  "smtp_auth_password", "smtp_auth_secret", "slack_api_url", "opsgenie_api_key", "wechat_api_secret", "victorops_api_key",
  "auth_password", "auth_secret", "api_url", "api_key", "password", "credentials", "bearer_token", "routing_key",
  "service_key", "bot_token", "webhook_url", "url", "secrets", "token", "user_key",
]);

/** The YAML text with every secret value replaced by `<secret>`, as Alertmanager's /api/v2/status shows the config. */
export function maskSecrets(text: string): string {
  const doc = parseDocument(text, { uniqueKeys: false });
  const walk = (n: unknown, parentKey?: string): void => {
    if (isMap(n)) {
      for (const p of n.items) {
        const k = isScalar(p.key) ? String(p.key.value) : "";
        // `url` of the telegram/pagerduty/opsgenie api is not secret, but webhook url is; mask both, as erring safe costs nothing.
        if (SECRET_KEYS.has(k) && isScalar(p.value) && p.value.value !== null && p.value.value !== "") p.value.value = "<secret>";
        else if (SECRET_KEYS.has(k) && isSeq(p.value)) p.value.items = p.value.items.map(() => doc.createNode("<secret>"));
        else walk(p.value, k);
      }
    } else if (isSeq(n)) {
      for (const i of n.items) walk(i, parentKey);
    }
  };
  walk(doc.contents);
  return (doc as Document).toString();
}

