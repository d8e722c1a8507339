import { describe, it, expect } from "vitest";
import { Dialogue, LineSplitter, splitHostPort } from "./tcp.ts";
import type { QueryStep } from "./tcp.ts";
import { compileSearch } from "./regex.ts";
import { parseBlackboxConfig } from "./config.ts";
import { runProbe } from "./run.ts";
import { fakeIO } from "./fake-io.ts";
import type { Peer } from "./fake-io.ts";
import { formatFamilies } from "../exposition/format.ts";

const step = (expect: string | undefined, send = "", starttls = false): QueryStep => ({ expect: expect === undefined ? undefined : compileSearch(expect), send, starttls });

describe("query_response dialogue", () => {
  it("sends at once, waits for an expected line, expands its groups into the next send", () => {
    const d = new Dialogue([step(undefined, "HELLO"), step("^ID (?P<id>\\w+)", "ACK ${id} $1 $$"), step(undefined, "", true), step("^OK")]);
    expect(d.start()).toEqual([{ kind: "send", data: "HELLO\n" }, { kind: "read" }]);
    expect(d.line("noise")).toEqual([{ kind: "read" }]);
    expect(d.line("ID abc")).toEqual([{ kind: "send", data: "ACK abc abc $\n" }, { kind: "starttls" }, { kind: "read" }]);
    expect(d.line("OK ready")).toEqual([{ kind: "done", success: true, failedDueToRegex: false }]);
  });

  it("fails with probe_failed_due_to_regex when the peer closes before the expected line", () => {
    const d = new Dialogue([step("^SSH-2.0-")]);
    expect(d.start()).toEqual([{ kind: "read" }]);
    expect(d.line("HTTP/1.1 400")).toEqual([{ kind: "read" }]);
    expect(d.eof()).toEqual([{ kind: "done", success: false, failedDueToRegex: true, reason: "Regexp did not match: ^SSH-2.0-" }]);
    expect(() => d.line("late")).toThrow(/not waiting/);
  });

  it("an empty dialogue is a plain connect", () => {
    expect(new Dialogue([]).start()).toEqual([{ kind: "done", success: true, failedDueToRegex: false }]);
  });

  it("splits lines as bufio.ScanLines, across chunks and multi-byte characters", () => {
    const s = new LineSplitter();
    const bytes = new TextEncoder().encode("a\r\nb€c\nrest");
    expect(s.push(bytes.subarray(0, 5))).toEqual(["a"]);
    expect(s.push(bytes.subarray(5))).toEqual(["b€c"]);
    expect(s.end()).toEqual(["rest"]);
  });

  it("splits host and port as Go does", () => {
    expect(splitHostPort("127.0.0.1:22")).toEqual({ host: "127.0.0.1", port: 22 });
    expect(splitHostPort("[::1]:443")).toEqual({ host: "::1", port: 443 });
    expect(() => splitHostPort("example.com")).toThrow(/missing port/);
  });
});

describe("tcp prober over a socket", () => {
  const module = (tcp: string) =>
    parseBlackboxConfig(`modules:\n  m:\n    prober: tcp\n    timeout: 1s\n    tcp:\n${tcp.replace(/^/gm, "      ")}\n`, "bb.yml").modules.get("m")!;
  const value = (families: Parameters<typeof formatFamilies>[0], name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(formatFamilies(families))?.[1]);

  it("runs an SMTP-like STARTTLS dialogue", async () => {
    let seen: Peer | undefined;
    const sent: string[] = [];
    const io = fakeIO({
      peer: async (p) => {
        seen = p;
        await p.write("220 mail ready\r\n");
        sent.push((await p.readLine())!);
        await p.write("250-STARTTLS\r\n");
        sent.push((await p.readLine())!);
        await p.write("220 go ahead\r\n");
        sent.push((await p.readLine())!);
        await p.write("250 ok\r\n");
      },
    });
    const cfg = "query_response:\n  - expect: '^220 '\n  - send: EHLO prober\n  - expect: '^250-STARTTLS'\n  - send: STARTTLS\n  - expect: '^220'\n  - starttls: true\n  - send: EHLO prober\n  - expect: '^250 '";
    const out = await runProbe(module(cfg), "127.0.0.1:25", io);
    expect(value(out.families, "probe_success")).toBe(1);
    expect(sent).toEqual(["EHLO prober", "STARTTLS", "EHLO prober"]);
    expect(io.connects).toEqual([{ hostname: "127.0.0.1", port: 25, secureTransport: "starttls" }]);
    expect(seen!.upgraded).toBe(true);
    expect(out.subrequests).toBe(1);
  });

  it("tls: true opens with secureTransport on; a refused connection fails", async () => {
    const io = fakeIO({ peer: async () => undefined });
    expect(value((await runProbe(module("tls: true"), "db.example:5432", io)).families, "probe_success")).toBe(1);
    expect(io.connects[0]!.secureTransport).toBe("on");
    const refused = await runProbe(module("{}"), "127.0.0.1:1", fakeIO({ refuse: true }));
    expect(value(refused.families, "probe_success")).toBe(0);
    expect(value(refused.families, "probe_failed_due_to_regex")).toBe(0);
  });

  it("a banner that never matches fails by regex at end of stream, or at the timeout", async () => {
    const closing = await runProbe(module("query_response:\n  - expect: '^SSH'"), "h:22", fakeIO({ peer: async (p) => (await p.write("HTTP/1.1 400\r\n"), await p.end()) }));
    expect([value(closing.families, "probe_success"), value(closing.families, "probe_failed_due_to_regex")]).toEqual([0, 1]);
    const silent = await runProbe(module("query_response:\n  - expect: '^SSH'"), "h:22", fakeIO({ peer: async () => undefined }));
    expect([value(silent.families, "probe_success"), value(silent.families, "probe_failed_due_to_regex")]).toEqual([0, 0]);
  });
});
