/**
 * @module
 * email_configs: the message as Alertmanager builds it (headers from the
 * config, Subject from email.default.subject, an HTML part from
 * email.default.html and a text part when `text` is set), sent over SMTP
 * (see ../smtp.ts) or the send_email binding.
 */
import { YamlStruct, mapPairs, decode } from "../../config/yaml-reader.ts";
import { checkHostPort } from "./checks.ts";
import type { EmailDelivery, NotifierKind } from "./types.ts";
import { buildMime } from "../mime.ts";

export const email: NotifierKind = {
  name: "email",
  configField: "email_configs",
  typeName: "EmailConfig",
  fields: [
    "to", "from", "hello", "smarthost", "auth_username", "auth_password", "auth_password_file", "auth_secret", "auth_identity",
    "headers", "html", "text", "require_tls", "tls_config",
  ],
  sendResolved: false,
  http: false,
  read(c, g) {
    if (c.string("to") === "") throw c.error(undefined, "missing to address in email config");
    if (c.has("auth_password_file")) throw c.error("auth_password_file", "auth_password_file is not supported on Cloudflare Workers: Workers have no file system");
    // Header names are case-insensitive and canonicalised (Go's textproto).
    const headers: Record<string, string> = {};
    for (const [k, v] of mapPairs(c.file, c.value("headers"), "map[string]string")) {
      const canon = k.text.toLowerCase().replace(/(^|-)([a-z])/g, (_m, p: string, ch: string) => p + ch.toUpperCase());
      if (canon in headers) throw c.file.error(k.node, `duplicate header "${canon}" in email config`);
      headers[canon] = decode.string(c.file, v);
    }
    const smarthost = c.string("smarthost", g.smtpSmarthost);
    if (smarthost === "") throw c.error(undefined, "no global SMTP smarthost set");
    checkHostPort(c, "smarthost", smarthost);
    const from = c.string("from", g.smtpFrom);
    if (from === "") throw c.error(undefined, "no global SMTP from set");
    const tls = new YamlStruct(c.file, c.value("tls_config"), "config.plain", ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "min_version", "max_version", "ca", "cert", "key"], c.lineOf("tls_config"));
    // connect() verifies the server against public CAs by its host name, with no client certificate.
    for (const f of ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "min_version", "max_version", "ca", "cert", "key"]) {
      if (tls.has(f)) throw tls.error(f, `tls_config.${f} is not supported on Cloudflare Workers: SMTP TLS from connect() always verifies the smarthost's name against public CAs`);
    }
    headers.Subject ??= '{{ template "email.default.subject" . }}';
    headers.To ??= c.string("to");
    headers.From ??= from;
    return {
      to: c.string("to"),
      from,
      hello: c.string("hello", g.smtpHello),
      smarthost,
      authUsername: c.string("auth_username", g.smtpAuthUsername),
      authPassword: c.string("auth_password", g.smtpAuthPassword),
      authSecret: c.string("auth_secret", g.smtpAuthSecret),
      authIdentity: c.string("auth_identity", g.smtpAuthIdentity),
      requireTls: c.bool("require_tls", g.smtpRequireTls),
      headers,
      html: c.string("html", '{{ template "email.default.html" . }}'),
      text: c.string("text"),
    };
  },
  build(n, s, render): EmailDelivery {
    const headers = Object.fromEntries(Object.entries(s.headers as Record<string, string>).map(([k, v]) => [k, render(v)]));
    const html = render(s.html as string);
    const text = render(s.text as string);
    const to = render(s.to as string).split(",").map((a) => a.trim()).filter((a) => a !== "");
    const from = render(s.from as string);
    return {
      type: "email",
      smtp: {
        smarthost: s.smarthost as string,
        hello: s.hello as string,
        from: addressOnly(from),
        to: to.map(addressOnly),
        authUsername: s.authUsername as string,
        authPassword: s.authPassword as string,
        authSecret: s.authSecret as string,
        authIdentity: s.authIdentity as string,
        requireTls: s.requireTls as boolean,
      },
      message: buildMime({ headers, html, text, date: new Date(), messageId: `<${n.groupKey.length}.${Date.now()}@pyrometer>` }),
      subject: headers.Subject ?? "",
      html,
      text,
    };
  },
};

/** `Name <a@b>` → `a@b` (the envelope address). */
export function addressOnly(a: string): string {
  const m = /<([^>]*)>/.exec(a);
  return (m ? m[1]! : a).trim();
}
