/**
 * @module
 * slack_configs: an incoming-webhook message with one attachment built from
 * Alertmanager's default templates (notify/slack).
 */
import { YamlStruct } from "../../config/yaml-reader.ts";
import { urlField } from "./checks.ts";
import { jsonPost, truncateRunes } from "./types.ts";
import type { NotifierKind } from "./types.ts";

const T = (name: string) => `{{ template "slack.default.${name}" . }}`;

interface Field { title: string; value: string; short?: boolean }
interface Action { type: string; text: string; url: string; style: string; name: string; value: string }

export const slack: NotifierKind = {
  name: "slack",
  configField: "slack_configs",
  typeName: "SlackConfig",
  fields: [
    "api_url", "api_url_file", "channel", "username", "color", "title", "title_link", "pretext", "text", "fields",
    "short_fields", "footer", "fallback", "callback_id", "icon_emoji", "icon_url", "image_url", "thumb_url", "link_names",
    "mrkdwn_in", "actions",
  ],
  sendResolved: false,
  http: true,
  read(c, g) {
    if (c.has("api_url_file")) throw c.error("api_url_file", "api_url_file is not supported on Cloudflare Workers: Workers have no file system; use a secret in the config");
    const apiUrl = urlField(c, "api_url", g.slackApiUrl);
    if (apiUrl === "") throw c.error(undefined, "no global Slack API URL set either inline or in a file");
    const fields = c.list("fields", "[]*config.SlackField", (n): Field => {
      const f = new YamlStruct(c.file, n, "config.plain", ["title", "value", "short"], c.lineOf("fields"));
      if (f.string("title") === "") throw f.error(undefined, "missing title in Slack field configuration");
      if (f.string("value") === "") throw f.error(undefined, "missing value in Slack field configuration");
      return f.has("short") ? { title: f.string("title"), value: f.string("value"), short: f.bool("short", false) } : { title: f.string("title"), value: f.string("value") };
    });
    const actions = c.list("actions", "[]*config.SlackAction", (n): Action => {
      const a = new YamlStruct(c.file, n, "config.plain", ["type", "text", "url", "style", "name", "value", "confirm"], c.lineOf("actions"));
      if (a.string("type") === "") throw a.error(undefined, "missing type in Slack action configuration");
      if (a.string("text") === "") throw a.error(undefined, "missing text in Slack action configuration");
      if (a.string("url") === "" && a.string("name") === "") throw a.error(undefined, "missing name or url in Slack action configuration");
      return { type: a.string("type"), text: a.string("text"), url: a.string("url"), style: a.string("style"), name: a.string("name"), value: a.string("value") };
    });
    return {
      apiUrl,
      channel: c.string("channel"),
      username: c.string("username", T("username")),
      color: c.string("color", '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}'),
      title: c.string("title", T("title")),
      titleLink: c.string("title_link", T("titlelink")),
      pretext: c.string("pretext", T("pretext")),
      text: c.string("text", T("text")),
      fields,
      shortFields: c.bool("short_fields", false),
      footer: c.string("footer", T("footer")),
      fallback: c.string("fallback", T("fallback")),
      callbackId: c.string("callback_id", T("callbackid")),
      iconEmoji: c.string("icon_emoji", T("iconemoji")),
      iconUrl: c.string("icon_url", T("iconurl")),
      imageUrl: c.string("image_url"),
      thumbUrl: c.string("thumb_url"),
      linkNames: c.bool("link_names", false),
      mrkdwnIn: c.has("mrkdwn_in") ? c.stringList("mrkdwn_in") : ["fallback", "pretext", "text"],
      actions,
    };
  },
  build(_n, s, render) {
    const str = (k: string) => render(s[k] as string);
    const omit = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== "" && v !== false && v !== undefined && !(Array.isArray(v) && v.length === 0)));
    // Alertmanager's attachment JSON: text, fallback, callback_id and footer are always present.
    const attachment = {
      ...omit({ title: truncateRunes(str("title"), 1024), title_link: str("titleLink"), pretext: str("pretext") }),
      text: str("text"),
      fallback: str("fallback"),
      callback_id: str("callbackId"),
      ...omit({
        fields: (s.fields as Field[]).map((f) => ({ title: render(f.title), value: render(f.value), short: f.short ?? s.shortFields })),
        actions: (s.actions as Action[]).map((a) => omit({ type: render(a.type), text: render(a.text), url: render(a.url), style: render(a.style), name: render(a.name), value: render(a.value) })),
        image_url: str("imageUrl"),
        thumb_url: str("thumbUrl"),
      }),
      footer: str("footer"),
      ...omit({ color: str("color"), mrkdwn_in: s.mrkdwnIn }),
    };
    const body = omit({
      channel: str("channel"),
      username: str("username"),
      icon_emoji: str("iconEmoji"),
      icon_url: str("iconUrl"),
      link_names: s.linkNames,
    });
    return jsonPost(s.apiUrl as string, { ...body, attachments: [attachment] });
  },
};
