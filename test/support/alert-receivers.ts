/**
 * @module
 * Stand-ins for alert receivers in e2e tests: a local HTTP server for Slack
 * and webhooks (optionally failing the first requests), a child-process
 * helper for the real SMTP server (aiosmtpd), and a reader for its maildir.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Received {
  path: string;
  body: Record<string, any>;
}

/** The Slack stand-in: records every POST; `failures[path]` answers 503 that many times first (Infinity: always). */
export function receiverServer() {
  const received: Received[] = [];
  const failures: Record<string, number> = {};
  const attempts: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      const path = req.url ?? "";
      attempts[path] = (attempts[path] ?? 0) + 1;
      if ((failures[path] ?? 0) > 0) {
        failures[path]!--;
        res.writeHead(503).end("down");
        return;
      }
      received.push({ path, body: JSON.parse(data) });
      res.writeHead(200).end("ok");
    });
  });
  return { server, received, failures, attempts };
}

export { startProcess as start, stopProcess as stop } from "./process.ts";

/** Subjects of the mails in the maildir (RFC 2047 words left as they are: ours are ASCII). */
export function mails(maildir: string): { subject: string; raw: string }[] {
  const dir = join(maildir, "new");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().map((f) => {
    const raw = readFileSync(join(dir, f), "utf8");
    return { subject: /^Subject: (.*)$/m.exec(raw)?.[1] ?? "", raw };
  });
}

