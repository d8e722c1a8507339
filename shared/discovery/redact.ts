/**
 * @module
 * Passwords embedded in URLs and target addresses are never shown: they are
 * replaced by `xxxxx`, as Go's url.URL.Redacted does (the user name stays).
 */

const URL_USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^@/?#]*)@/u;

function redactUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(":");
  return colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:xxxxx`;
}

/** `https://user:pw@host/path` → `https://user:xxxxx@host/path`; other URLs unchanged. */
export function redactUrl(url: string): string {
  return url.replace(URL_USERINFO, (_, scheme: string, userinfo: string) => `${scheme}${redactUserinfo(userinfo)}@`);
}

/** `user:pw@host:9100` → `user:xxxxx@host:9100`; addresses without `@` unchanged. */
export function redactAddress(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? address : `${redactUserinfo(address.slice(0, at))}${address.slice(at)}`;
}
