/**
 * @module
 * Starts the whole system the way a user does (`npm start`, i.e.
 * scripts/start.ts) on a free port with its own state folder.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { SECRET_SETTINGS } from "../../scripts/lib/settings.ts";

const root = resolve(import.meta.dirname, "../..");
/** The tests' own copy of the default config: users edit config/prometheus.yml, tests must not depend on it. */
export const TEST_CONFIG = resolve(root, "test/e2e/prometheus.yml");

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
    srv.on("error", rej);
  });
}

export interface Running {
  url: string;
  port: number;
  /** The pid of scripts/start.ts (wrangler and workerd are its descendants). */
  pid: number;
  output: () => string;
  stop: () => Promise<void>;
}

export interface StartOptions {
  state: string;
  port?: number;
  config?: string;
  env?: Record<string, string>;
}

/** The environment scripts/start.ts gets: the tests' own config unless one is given, no developer's tokens. */
export function startEnv(o: StartOptions, port: number): Record<string, string | undefined> {
  return {
    // A token in the developer's shell must not change what the tests see.
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !(SECRET_SETTINGS as readonly string[]).includes(k))),
    PORT: String(port),
    PYROMETER_STATE: o.state,
    PYROMETER_CONFIG: o.config ?? TEST_CONFIG,
    ...o.env,
  };
}

/** Starts Pyrometer and resolves once /-/ready answers 200. */
export async function startPyrometer(o: StartOptions): Promise<Running> {
  // A free port can be taken by another process before wrangler binds it (other
  // test runs share the machine): a port of our choosing is then tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(o, o.port ?? (await freePort()));
    } catch (e) {
      if (o.port !== undefined || attempt >= 3 || !/Address already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function startOnce(o: StartOptions, port: number): Promise<Running> {
  let out = "";
  const child: ChildProcess = spawn(process.execPath, [resolve(root, "scripts/start.ts")], {
    cwd: root,
    env: startEnv(o, port),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`pyrometer exited with ${child.exitCode}:\n${out}`);
    // Ready and scheduled: start.ts prints this once it has armed the scheduler.
    if (out.includes("pyrometer: ready on")) return { url, port, pid: child.pid!, output: () => out, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`pyrometer did not become ready in 90 s:\n${out}`);
}

/** Polls `fn` until it returns a value other than undefined, or throws after `ms`. */
export async function eventually<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
