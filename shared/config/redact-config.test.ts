import { describe, it, expect } from "vitest";
import { redactConfigYaml } from "./redact-config.ts";

describe("redactConfigYaml", () => {
  it("shows every Secret as <secret> and URL passwords as xxxxx, keeping the rest", () => {
    const out = redactConfigYaml(`scrape_configs:
  - job_name: a
    basic_auth: {username: u, password: hunter2}
    authorization: {credentials: tok1}
    oauth2: {client_id: id, client_secret: cs1}
    tls_config: {key: PRIVATEKEY, cert_file: c.pem}
    http_sd_configs:
      - url: https://sd:pw9@127.0.0.1/sd
remote_write:
  - url: http://127.0.0.1/w
    http_headers:
      X-A: {values: [v], secrets: [s1, s2]}
`);
    for (const s of ["hunter2", "tok1", "cs1", "PRIVATEKEY", "pw9", "s1", "s2"]) expect(out).not.toContain(s);
    expect(out).toContain("password: <secret>");
    expect(out).toContain("https://sd:xxxxx@127.0.0.1/sd");
    expect(out).toContain("username: u");
    expect(out).toContain("cert_file: c.pem");
    expect(out).toContain("job_name: a");
  });
});
