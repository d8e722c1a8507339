/**
 * @module
 * The chat webhooks: discord_configs, msteams_configs (MessageCard, as
 * Alertmanager 0.26+ sends) and telegram_configs (Bot API sendMessage).
 */
import { urlField } from "./checks.ts";
import { groupStatus, jsonPost, truncateRunes } from "./types.ts";
import type { NotifierKind } from "./types.ts";

function requiredUrl(c: Parameters<NotifierKind["read"]>[0], field: string, kind: string): string {
  if (c.has(`${field}_file`)) throw c.error(`${field}_file`, `${field}_file is not supported on Cloudflare Workers: Workers have no file system`);
  const v = urlField(c, field, "");
  if (v === "") throw c.error(undefined, `one of ${field} or ${field}_file must be configured in ${kind}`);
  return v;
}

export const discord: NotifierKind = {
  name: "discord",
  configField: "discord_configs",
  typeName: "DiscordConfig",
  fields: ["webhook_url", "webhook_url_file", "title", "message"],
  sendResolved: true,
  http: true,
  read(c) {
    return {
      webhookUrl: requiredUrl(c, "webhook_url", "discord_config"),
      title: c.string("title", '{{ template "discord.default.title" . }}'),
      message: c.string("message", '{{ template "discord.default.message" . }}'),
    };
  },
  build(n, s, render) {
    // notify/discord: red while firing, green once resolved.
    const color = groupStatus(n) === "firing" ? 0x992d22 : 0x2ecc71;
    return jsonPost(s.webhookUrl as string, {
      embeds: [{ title: truncateRunes(render(s.title as string), 256), description: truncateRunes(render(s.message as string), 4096), color }],
    });
  },
};

export const msteams: NotifierKind = {
  name: "msteams",
  configField: "msteams_configs",
  typeName: "MSTeamsConfig",
  fields: ["webhook_url", "webhook_url_file", "title", "summary", "text"],
  sendResolved: true,
  http: true,
  read(c) {
    return {
      webhookUrl: requiredUrl(c, "webhook_url", "msteams_config"),
      title: c.string("title", '{{ template "msteams.default.title" . }}'),
      summary: c.string("summary", '{{ template "msteams.default.summary" . }}'),
      text: c.string("text", '{{ template "msteams.default.text" . }}'),
    };
  },
  build(n, s, render) {
    const themeColor = groupStatus(n) === "firing" ? "8C1A1A" : "2DC72D";
    return jsonPost(s.webhookUrl as string, {
      "@context": "http://schema.org/extensions",
      type: "MessageCard",
      title: render(s.title as string),
      summary: render(s.summary as string),
      text: render(s.text as string),
      themeColor,
    });
  },
};

const PARSE_MODES = ["", "Markdown", "MarkdownV2", "HTML"];

export const telegram: NotifierKind = {
  name: "telegram",
  configField: "telegram_configs",
  typeName: "TelegramConfig",
  fields: ["api_url", "bot_token", "bot_token_file", "chat_id", "message", "disable_notifications", "parse_mode", "message_thread_id"],
  sendResolved: true,
  http: true,
  read(c, g) {
    if (c.has("bot_token_file")) throw c.error("bot_token_file", "bot_token_file is not supported on Cloudflare Workers: Workers have no file system");
    if (c.string("bot_token") === "") throw c.error(undefined, "missing bot_token or bot_token_file on telegram_config");
    const chatId = c.has("chat_id") ? c.float("chat_id") : 0;
    if (chatId === 0) throw c.error(undefined, "missing chat_id on telegram_config");
    const parseMode = c.string("parse_mode", "HTML");
    if (!PARSE_MODES.includes(parseMode)) throw c.error("parse_mode", "unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string");
    return {
      apiUrl: urlField(c, "api_url", g.telegramApiUrl),
      botToken: c.string("bot_token"),
      chatId,
      message: c.string("message", '{{ template "telegram.default.message" . }}'),
      disableNotifications: c.bool("disable_notifications", false),
      parseMode,
      messageThreadId: c.uint("message_thread_id"),
    };
  },
  build(_n, s, render) {
    const base = (s.apiUrl as string).replace(/\/$/, "");
    return jsonPost(`${base}/bot${s.botToken as string}/sendMessage`, {
      chat_id: s.chatId,
      ...(s.messageThreadId ? { message_thread_id: s.messageThreadId } : {}),
      text: truncateRunes(render(s.message as string), 4096),
      parse_mode: s.parseMode,
      disable_notification: s.disableNotifications,
    });
  },
};
