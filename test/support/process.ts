/**
 * @module
 * Child processes of the tests (real Prometheus, Alertmanager, SMTP servers):
 * started with their output kept, stopped with SIGTERM and awaited.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";

export function startProcess(cmd: string, args: string[]): { child: ChildProcess; out: () => string } {
  let out = "";
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return { child, out: () => out };
}

/** Stops a child that is still running and waits for it to exit. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}
