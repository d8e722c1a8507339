/**
 * @module
 * Hides secrets in a configuration's YAML text before the config page shows it.
 * Prometheus's /api/v1/status/config already prints `<secret>`; this masks
 * any server (or version) that does not, by key name.
 */
const SECRET_KEYS = /^(\s*-?\s*)(password|credentials|bearer_token|client_secret|secret_access_key|access_token|api_key|auth_token|token|private_key|key_file_password)(\s*:\s*)(.+)$/i;

export function hideSecrets(yaml: string): string {
  return yaml
    .split("\n")
    .map((line) => {
      const m = SECRET_KEYS.exec(line);
      if (!m || m[4]!.trim() === "<secret>" || m[4]!.trim() === '""') return line;
      return `${m[1]}${m[2]}${m[3]}<secret>`;
    })
    .join("\n");
}
