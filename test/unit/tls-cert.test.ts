/**
 * probe_ssl_earliest_cert_expiry read with a TLS 1.2 ClientHello over a plain
 * socket (shared/probe/tls-cert.ts), against real TLS servers (Node's, i.e.
 * OpenSSL) with certificates made by openssl, and compared with the value
 * Debian's blackbox_exporter reports for the same server.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:https";
import type { Server } from "node:https";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCommand } from "../support/apt.ts";
import { freePort, eventually } from "../support/pyrometer.ts";
import { nodeProbeIO } from "../support/node-probe-io.ts";
import { certificateNotAfter, readPeerCertificates } from "../../shared/probe/tls-cert.ts";

describe("reading a server's certificate expiry", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrometer-tls-"));
  const servers: Server[] = [];
  let bb: ChildProcess;
  let bbPort: number;
  let tls12Port: number;
  let tls13Port: number;
  let notAfter: number;

  beforeAll(async () => {
    const openssl = ensureCommand("openssl", "openssl");
    execFileSync(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "45", "-subj", "/CN=localhost"], { stdio: "ignore" });
    const end = execFileSync(openssl, ["x509", "-enddate", "-noout", "-in", join(dir, "c.pem")], { encoding: "utf8" });
    notAfter = Date.parse(end.replace("notAfter=", "").trim()) / 1000;
    const tls = { key: readFileSync(join(dir, "k.pem")), cert: readFileSync(join(dir, "c.pem")) };
    [tls12Port, tls13Port, bbPort] = [await freePort(), await freePort(), await freePort()];
    const ok = (_: unknown, res: { end(s: string): void }) => res.end("ok");
    servers.push(createServer(tls, ok).listen(tls12Port, "127.0.0.1"));
    servers.push(createServer({ ...tls, minVersion: "TLSv1.3" }, ok).listen(tls13Port, "127.0.0.1"));
    const blackbox = ensureCommand("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
    writeFileSync(join(dir, "bb.yml"), "modules:\n  https:\n    prober: http\n    timeout: 5s\n    http:\n      tls_config:\n        insecure_skip_verify: true\n");
    bb = spawn(blackbox, [`--config.file=${join(dir, "bb.yml")}`, `--web.listen-address=127.0.0.1:${bbPort}`], { stdio: "ignore" });
    await eventually(async () => ((await fetch(`http://127.0.0.1:${bbPort}/metrics`)).ok ? true : undefined), 20_000, "blackbox_exporter");
  });

  afterAll(() => {
    bb?.kill("SIGTERM");
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the same expiry as blackbox_exporter and openssl", async () => {
    const certs = await readPeerCertificates(nodeProbeIO, "127.0.0.1", tls12Port, AbortSignal.timeout(5000));
    expect(certs.length).toBe(1);
    const ours = certificateNotAfter(certs[0]!);
    expect(ours).toBe(notAfter);
    const text = await (await fetch(`http://127.0.0.1:${bbPort}/probe?module=https&target=https://127.0.0.1:${tls12Port}/`)).text();
    const theirs = Number(/^probe_ssl_earliest_cert_expiry (\S+)$/m.exec(text)![1]);
    expect(ours).toBe(theirs);
  });

  it("a TLS 1.3-only server answers with an alert: no expiry, a reason", async () => {
    await expect(readPeerCertificates(nodeProbeIO, "127.0.0.1", tls13Port, AbortSignal.timeout(5000))).rejects.toThrow(/refused a TLS 1.2 handshake \(alert \d+\)/);
  });

  it("a closed port fails cleanly", async () => {
    await expect(readPeerCertificates(nodeProbeIO, "127.0.0.1", await freePort(), AbortSignal.timeout(5000))).rejects.toThrow();
  });
});
