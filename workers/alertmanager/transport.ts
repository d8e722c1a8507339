/**
 * @module
 * The I/O of a delivery: HTTP through fetch, email over SMTP through
 * `cloudflare:sockets` (plain, STARTTLS via startTls(), implicit TLS on 465)
 * driven by shared/alertmanager/smtp.ts, or through the send_email binding.
 * Deployed Workers cannot connect to port 25 (Cloudflare blocks it): use a
 * submission port (587/465) or the EMAIL binding.
 */
import { connect } from "cloudflare:sockets";
import type { Env } from "../env.ts";
import type { Delivery, EmailDelivery, HttpDelivery } from "../../shared/alertmanager/notifiers/types.ts";
import type { HttpClientConfig } from "../../shared/config/types.ts";
import { httpClientHeaders } from "../../shared/discovery/refresh.ts";
import { DeliveryError, retryableStatus } from "../../shared/alertmanager/deliver.ts";
import { SmtpDialogue, SmtpError, parseReplies } from "../../shared/alertmanager/smtp.ts";

const TIMEOUT_MS = 30_000;

export async function perform(env: Env, d: Delivery, http: HttpClientConfig | undefined): Promise<void> {
  if (d.type === "http") return sendHttp(d, http);
  if (env.ALERTMANAGER_EMAIL_TRANSPORT === "send_email") return sendViaBinding(env, d);
  return sendSmtp(d);
}

async function sendHttp(d: HttpDelivery, http: HttpClientConfig | undefined): Promise<void> {
  const headers = http ? httpClientHeaders(http) : new Headers();
  for (const [k, v] of Object.entries(d.headers)) headers.set(k, v);
  headers.set("User-Agent", "Alertmanager/0.25.0 (Pyrometer)");
  let res: Response;
  try {
    res = await fetch(d.url, { method: d.method, headers, body: d.body, redirect: http?.followRedirects === false ? "manual" : "follow", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new DeliveryError(`request failed: ${(e as Error).message}`, true);
  }
  // Drain the body so the connection is released.
  const text = await res.text().catch(() => "");
  if (res.ok) return;
  throw new DeliveryError(`unexpected status code ${res.status}: ${text.slice(0, 200)}`, retryableStatus(res.status));
}

/** Cloudflare's Email Service / Email Routing binding (`send_email`); see docs/compatibility.md for its limits. */
async function sendViaBinding(env: Env, d: EmailDelivery): Promise<void> {
  const binding = env.EMAIL as unknown as { send?: (m: Record<string, unknown>) => Promise<unknown> } | undefined;
  if (binding?.send === undefined) throw new DeliveryError("ALERTMANAGER_EMAIL_TRANSPORT is send_email but no EMAIL (send_email) binding is configured", false);
  try {
    await binding.send({ to: d.smtp.to, from: d.smtp.from, subject: d.subject, html: d.html || undefined, text: d.text || undefined });
  } catch (e) {
    throw new DeliveryError(`send_email: ${(e as Error).message}`, true);
  }
}

async function sendSmtp(d: EmailDelivery): Promise<void> {
  const i = d.smtp.smarthost.lastIndexOf(":");
  const hostname = d.smtp.smarthost.slice(0, i).replace(/^\[|\]$/g, "");
  const port = Number(d.smtp.smarthost.slice(i + 1));
  const implicitTls = port === 465;
  let socket = connect({ hostname, port }, { secureTransport: implicitTls ? "on" : "starttls", allowHalfOpen: false });
  const dialogue = new SmtpDialogue(d.smtp, d.message, implicitTls);
  const timer = setTimeout(() => socket.close().catch(() => {}), TIMEOUT_MS);
  let reader = socket.readable.getReader();
  let writer = socket.writable.getWriter();
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { replies, rest } = parseReplies(buffer);
      buffer = rest;
      if (replies.length === 0) {
        const { value, done } = await reader.read();
        if (done) throw new SmtpError(`connection closed by ${d.smtp.smarthost} in state ${dialogue.state}`, 0);
        buffer += dec.decode(value, { stream: true });
        continue;
      }
      for (const r of replies) {
        let step = dialogue.next(r);
        if ("done" in step) return;
        if ("startTls" in step) {
          reader.releaseLock();
          writer.releaseLock();
          socket = socket.startTls();
          reader = socket.readable.getReader();
          writer = socket.writable.getWriter();
          step = dialogue.afterTls();
        }
        if ("send" in step) await writer.write(enc.encode(step.send));
      }
    }
  } catch (e) {
    if (e instanceof SmtpError) throw new DeliveryError(`smtp ${d.smtp.smarthost}: ${e.message}`, e.retryable);
    throw new DeliveryError(`smtp ${d.smtp.smarthost}: ${(e as Error).message}`, true);
  } finally {
    clearTimeout(timer);
    await socket.close().catch(() => {});
  }
}
