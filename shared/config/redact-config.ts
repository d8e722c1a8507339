/**
 * @module
 * The config as `/api/v1/status/config` shows it: every value Prometheus
 * types as a Secret becomes `<secret>`, and passwords in URLs `xxxxx`.
 * The YAML is the user's own text (Prometheus re-marshals its parsed config
 * with defaults filled in; docs/compatibility.md says so).
 */
import { parseDocument, visit, isPair, isScalar, isSeq } from "yaml";
import { redactUrl } from "../discovery/redact.ts";

/** Keys whose values are config.Secret in Prometheus's config structs. */
const SECRET_KEYS = new Set(["password", "credentials", "bearer_token", "client_secret", "secret_key", "key", "api_key", "auth_token", "secret"]);

function isTlsConfigPath(path: readonly unknown[]): boolean {
  const parent = path[path.length - 2];
  return isPair(parent) && isScalar(parent.key) && String(parent.key.value) === "tls_config";
}

export function redactConfigYaml(text: string): string {
  const doc = parseDocument(text);
  visit(doc, {
    Pair(_, pair, path) {
      if (!isPair(pair) || !isScalar(pair.key)) return;
      const key = String(pair.key.value);
      // http_headers' `secrets:` lists hold one secret per item.
      if (key === "secrets" && isSeq(pair.value)) {
        for (const item of pair.value.items) if (isScalar(item)) item.value = "<secret>";
        return;
      }
      if (!isScalar(pair.value)) return;
      const value = pair.value.value;
      // `key` is a secret only as tls_config's inline private key.
      const secret = key === "key" ? isTlsConfigPath(path) : SECRET_KEYS.has(key);
      if (secret) {
        if (value !== null && value !== "") pair.value.value = "<secret>";
      } else if (typeof value === "string" && value.includes("@") && /^[A-Za-z][A-Za-z0-9+.-]*:\/\//u.test(value)) {
        pair.value.value = redactUrl(value);
      }
    },
  });
  return doc.toString();
}
