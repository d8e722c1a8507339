/**
 * @module
 * A config file a deployment sets as a secret (`wrangler secret put
 * BLACKBOX_CONFIG < blackbox.yml`): its text from `<NAME>`, or from
 * `<NAME>_B64`, as `npm start` passes it (scripts/lib/settings.ts) so that
 * nothing secret appears on a command line.
 */
export function fileSetting(env: object, name: string): string | undefined {
  const vars = env as Record<string, unknown>;
  const text = vars[name];
  if (typeof text === "string") return text;
  const b64 = vars[`${name}_B64`];
  if (typeof b64 !== "string") return undefined;
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}
