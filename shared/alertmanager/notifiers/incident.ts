/**
 * @module
 * The incident tools: pagerduty_configs (Events API v2) and opsgenie_configs
 * (Alert API v2), deduplicated on the SHA-256 of the group key as Alertmanager does.
 */
import { YamlStruct, decode, mapPairs } from "../../config/yaml-reader.ts";
import { urlField } from "./checks.ts";
import { groupStatus, jsonPost, keyHash, truncateRunes } from "./types.ts";
import type { NotifierKind } from "./types.ts";

function stringMapField(c: YamlStruct, field: string, def: Record<string, string>): Record<string, string> {
  if (!c.has(field)) return def;
  const out: Record<string, string> = {};
  for (const [k, v] of mapPairs(c.file, c.value(field), "map[string]string")) out[k.text] = decode.string(c.file, v);
  return out;
}

export const pagerduty: NotifierKind = {
  name: "pagerduty",
  configField: "pagerduty_configs",
  typeName: "PagerdutyConfig",
  fields: [
    "routing_key", "routing_key_file", "service_key", "service_key_file", "url", "client", "client_url", "description",
    "details", "images", "links", "source", "severity", "class", "component", "group",
  ],
  sendResolved: true,
  http: true,
  read(c, g) {
    for (const f of ["routing_key_file", "service_key_file"]) {
      if (c.has(f)) throw c.error(f, `${f} is not supported on Cloudflare Workers: Workers have no file system`);
    }
    if (c.string("routing_key") === "" && c.string("service_key") === "") throw c.error(undefined, "missing service or routing key in PagerDuty config");
    if (c.string("service_key") !== "" && c.string("routing_key") === "") {
      throw c.error("service_key", "service_key (Events API v1) is not supported by Pyrometer; use routing_key (Events API v2)");
    }
    const severity = c.string("severity", "error");
    const links = c.list("links", "[]config.PagerdutyLink", (n) => {
      const l = new YamlStruct(c.file, n, "config.plain", ["href", "text"], c.lineOf("links"));
      return { href: l.string("href"), text: l.string("text") };
    });
    const images = c.list("images", "[]config.PagerdutyImage", (n) => {
      const l = new YamlStruct(c.file, n, "config.plain", ["src", "alt", "href"], c.lineOf("images"));
      return { src: l.string("src"), alt: l.string("alt"), href: l.string("href") };
    });
    return {
      routingKey: c.string("routing_key"),
      url: urlField(c, "url", g.pagerdutyUrl),
      client: c.string("client", '{{ template "pagerduty.default.client" . }}'),
      clientUrl: c.string("client_url", '{{ template "pagerduty.default.clientURL" . }}'),
      description: c.string("description", '{{ template "pagerduty.default.description" .}}'),
      details: stringMapField(c, "details", {
        firing: '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
        resolved: '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
        num_firing: "{{ .Alerts.Firing | len }}",
        num_resolved: "{{ .Alerts.Resolved | len }}",
      }),
      links,
      images,
      source: c.string("source"),
      // A template (Alertmanager does not check it): PagerDuty takes critical, error, warning or info.
      severity,
      class: c.string("class"),
      component: c.string("component"),
      group: c.string("group"),
    };
  },
  async build(n, s, render) {
    const client = render(s.client as string);
    const details = Object.fromEntries(Object.entries(s.details as Record<string, string>).map(([k, v]) => [k, render(v)]));
    const source = render(s.source as string) || client;
    return jsonPost(s.url as string, {
      routing_key: s.routingKey,
      event_action: groupStatus(n) === "firing" ? "trigger" : "resolve",
      dedup_key: await keyHash(n.groupKey),
      images: (s.images as { src: string; alt: string; href: string }[]).map((i) => ({ src: render(i.src), alt: render(i.alt), href: render(i.href) })),
      links: (s.links as { href: string; text: string }[]).map((l) => ({ href: render(l.href), text: render(l.text) })),
      client,
      client_url: render(s.clientUrl as string),
      payload: {
        summary: truncateRunes(render(s.description as string), 1024),
        source,
        severity: render(s.severity as string),
        custom_details: details,
        ...(s.class ? { class: render(s.class as string) } : {}),
        ...(s.component ? { component: render(s.component as string) } : {}),
        ...(s.group ? { group: render(s.group as string) } : {}),
      },
    });
  },
};

export const opsgenie: NotifierKind = {
  name: "opsgenie",
  configField: "opsgenie_configs",
  typeName: "OpsGenieConfig",
  fields: [
    "api_key", "api_key_file", "api_url", "message", "description", "source", "details", "entity", "responders", "actions",
    "tags", "note", "priority", "update_alerts",
  ],
  sendResolved: true,
  http: true,
  read(c, g) {
    if (c.has("api_key_file")) throw c.error("api_key_file", "api_key_file is not supported on Cloudflare Workers: Workers have no file system");
    const apiKey = c.string("api_key", g.opsgenieApiKey);
    if (apiKey === "") throw c.error(undefined, "no global OpsGenie API Key set either inline or in a file");
    const responders = c.list("responders", "[]config.OpsGenieConfigResponder", (n) => {
      const r = new YamlStruct(c.file, n, "config.plain", ["id", "name", "username", "type"], c.lineOf("responders"));
      if (r.string("id") === "" && r.string("name") === "" && r.string("username") === "") {
        throw r.error(undefined, "opsGenieConfig responder must have at least an id, a name or an username defined");
      }
      return { id: r.string("id"), name: r.string("name"), username: r.string("username"), type: r.string("type") };
    });
    return {
      apiKey,
      apiUrl: urlField(c, "api_url", g.opsgenieApiUrl),
      message: c.string("message", '{{ template "opsgenie.default.message" . }}'),
      description: c.string("description", '{{ template "opsgenie.default.description" . }}'),
      source: c.string("source", '{{ template "opsgenie.default.source" . }}'),
      details: stringMapField(c, "details", {}),
      entity: c.string("entity"),
      responders,
      actions: c.string("actions"),
      tags: c.string("tags"),
      note: c.string("note"),
      priority: c.string("priority"),
    };
  },
  async build(n, s, render) {
    const alias = await keyHash(n.groupKey);
    const base = (s.apiUrl as string).endsWith("/") ? (s.apiUrl as string) : `${s.apiUrl as string}/`;
    const auth = { Authorization: `GenieKey ${s.apiKey as string}` };
    if (groupStatus(n) === "resolved") {
      return jsonPost(`${base}v2/alerts/${alias}/close?identifierType=alias`, { source: render(s.source as string) }, auth);
    }
    const split = (v: string) => v.split(",").map((t) => t.trim()).filter((t) => t !== "");
    const details = Object.fromEntries(Object.entries(s.details as Record<string, string>).map(([k, v]) => [k, render(v)]));
    return jsonPost(`${base}v2/alerts`, {
      alias,
      message: truncateRunes(render(s.message as string), 130),
      description: truncateRunes(render(s.description as string), 15000),
      details,
      source: render(s.source as string),
      responders: (s.responders as Record<string, string>[]).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== "").map(([k, v]) => [k, render(v)]))),
      tags: split(render(s.tags as string)),
      note: render(s.note as string),
      priority: render(s.priority as string),
      entity: render(s.entity as string),
      actions: split(render(s.actions as string)),
    }, auth);
  },
};
