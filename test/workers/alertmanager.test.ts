// The Alertmanager Durable Object through the v2 API, its alarm, and the
// notification queue's consumer. Receivers cannot run inside workerd, so the
// consumer tests replace fetch with a spy (the e2e test uses real receivers).
import { describe, it, expect, vi, afterEach } from "vitest";
import { SELF, env, evictDurableObject, runDurableObjectAlarm, runInDurableObject, createMessageBatch, getQueueResult, createExecutionContext } from "cloudflare:test";
import worker from "../../workers/index.ts";
import type { Notification } from "../../shared/alertmanager/notifiers/types.ts";

const stub = () => env.ALERTMANAGER.get(env.ALERTMANAGER.idFromName("default"));
const api = (path: string, init?: RequestInit) => SELF.fetch(`http://localhost/api/v2${path}`, init);
const postJson = (path: string, body: unknown) => api(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

describe("Alertmanager v2 API and Durable Object", () => {
  it("rejects bad alerts with 400 naming the problem", async () => {
    const res = await postJson("/alerts", [{ labels: { alertname: "ok" } }, { labels: {} }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: "error", errorType: "bad_data", error: "alert 1: at least one label pair required" });
    expect((await api("/alerts", { method: "POST", body: "{nope" })).status).toBe(400);
  });

  it("stores posted alerts, routes them into groups and arms the alarm; the alarm flushes and logs", async () => {
    const startsAt = new Date(Date.now() - 3600_000).toISOString();
    expect((await postJson("/alerts", [{ labels: { alertname: "Old", job: "a" }, annotations: { summary: "s" }, startsAt, generatorURL: "http://prom/g" }])).status).toBe(200);
    const alerts = (await (await api("/alerts?filter=alertname%3D%22Old%22")).json()) as Record<string, any>[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      labels: { alertname: "Old", job: "a" }, annotations: { summary: "s" }, startsAt, generatorURL: "http://prom/g",
      receivers: [{ name: "hook" }], status: { state: "active", silencedBy: [], inhibitedBy: [] },
    });
    expect(alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const groups = (await (await api("/alerts/groups")).json()) as Record<string, any>[];
    expect(groups.find((g) => g.labels.alertname === "Old")).toMatchObject({ receiver: { name: "hook" } });
    // Older than group_wait: due at once.
    expect(await runInDurableObject(stub(), (_i, state) => state.storage.getAlarm())).not.toBeNull();
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    const nflog = await runInDurableObject(stub(), (_i, state) => [...state.storage.sql.exec<{ k: string }>("SELECT k FROM nflog")].map((r) => r.k));
    expect(nflog).toContain('{}:{alertname="Old"}|hook|webhook|0');
    // The group waits for its group_interval now.
    const next = await runInDurableObject(stub(), (_i, state) => state.storage.getAlarm());
    expect(next! - Date.now()).toBeGreaterThan(4 * 60_000);
    // A lost alarm (its retries ran out) is re-armed by the cron's watchdog.
    await runInDurableObject(stub(), (_i, state) => state.storage.deleteAlarm());
    await stub().ensureScheduled();
    expect(await runInDurableObject(stub(), (_i, state) => state.storage.getAlarm())).toBe(next);
  });

  it("a flush the queue refuses is forgotten and done again by the alarm's retry", async () => {
    const startsAt = new Date(Date.now() - 3600_000).toISOString();
    await postJson("/alerts", [{ labels: { alertname: "QueueDown" }, startsAt }]);
    const logged = () => runInDurableObject(stub(), (_i, state) => [...state.storage.sql.exec<{ k: string }>("SELECT k FROM nflog")].map((r) => r.k));
    const key = '{}:{alertname="QueueDown"}|hook|webhook|0';
    const sent: unknown[] = [];
    const real = await runInDurableObject(stub(), (instance) => {
      const e = (instance as unknown as { env: { NOTIFICATIONS: Queue<unknown> } }).env;
      const q = e.NOTIFICATIONS;
      e.NOTIFICATIONS = { sendBatch: async () => { throw new Error("queue unavailable"); } } as unknown as Queue<unknown>;
      return q;
    });
    await expect(runDurableObjectAlarm(stub())).rejects.toThrow(/queue unavailable/);
    expect(await logged()).not.toContain(key);
    await runInDurableObject(stub(), (instance) => {
      (instance as unknown as { env: { NOTIFICATIONS: Queue<unknown> } }).env.NOTIFICATIONS = {
        sendBatch: async (b: unknown[]) => void sent.push(...b),
      } as unknown as Queue<unknown>;
    });
    await runInDurableObject(stub(), (_i, state) => state.storage.setAlarm(Date.now()));
    expect(await runDurableObjectAlarm(stub())).toBe(true);
    expect(await logged()).toContain(key);
    expect(sent).toHaveLength(1);
    await runInDurableObject(stub(), (instance) => {
      (instance as unknown as { env: { NOTIFICATIONS: Queue<unknown> } }).env.NOTIFICATIONS = real;
    });
  });

  it("silences: create, match, survive a restart, expire", async () => {
    await postJson("/alerts", [{ labels: { alertname: "Noisy", team: "x" } }]);
    const now = Date.now();
    const res = await postJson("/silences", {
      matchers: [{ name: "alertname", value: "Noi.*", isRegex: true, isEqual: true }],
      startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3600_000).toISOString(), createdBy: "test", comment: "maintenance",
    });
    expect(res.status).toBe(200);
    const { silenceID } = (await res.json()) as { silenceID: string };
    const alerts = (await (await api("/alerts?filter=alertname%3DNoisy")).json()) as Record<string, any>[];
    expect(alerts[0]!.status).toEqual({ state: "suppressed", silencedBy: [silenceID], inhibitedBy: [] });
    expect(((await (await api("/alerts?silenced=false&filter=alertname%3DNoisy")).json()) as unknown[]).length).toBe(0);

    await evictDurableObject(stub());
    const got = (await (await api(`/silence/${silenceID}`)).json()) as Record<string, any>;
    expect(got).toMatchObject({ id: silenceID, status: { state: "active" }, createdBy: "test", comment: "maintenance" });
    expect(got.matchers).toEqual([{ name: "alertname", value: "Noi.*", isRegex: true, isEqual: true }]);

    expect((await api(`/silence/${silenceID}`, { method: "DELETE" })).status).toBe(200);
    const list = (await (await api("/silences")).json()) as Record<string, any>[];
    expect(list.find((s) => s.id === silenceID)!.status.state).toBe("expired");
    expect((await api("/silence/nope")).status).toBe(404);
  });

  it("updates a silence in place, or expires it and creates a new one when its matchers change", async () => {
    const now = Date.now();
    const body = (over: Record<string, unknown> = {}) => ({
      matchers: [{ name: "job", value: "batch", isRegex: false, isEqual: true }],
      startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3600_000).toISOString(), createdBy: "t", comment: "c", ...over,
    });
    const { silenceID: id } = (await (await postJson("/silences", body())).json()) as { silenceID: string };
    const longer = await (await postJson("/silences", { ...body(), id, startsAt: ((await (await api(`/silence/${id}`)).json()) as { startsAt: string }).startsAt, endsAt: new Date(now + 7200_000).toISOString() })).json() as { silenceID: string };
    expect(longer.silenceID).toBe(id);
    const changed = await (await postJson("/silences", body({ id, matchers: [{ name: "job", value: "other", isRegex: false, isEqual: true }] }))).json() as { silenceID: string };
    expect(changed.silenceID).not.toBe(id);
    expect(((await (await api(`/silence/${id}`)).json()) as { status: { state: string } }).status.state).toBe("expired");
    expect(((await (await api(`/silences?filter=job%3Dother`)).json()) as { id: string }[]).map((s) => s.id)).toEqual([changed.silenceID]);
  });

  it("rejects invalid silences as Alertmanager does", async () => {
    const now = Date.now();
    const base = { startsAt: new Date(now).toISOString(), endsAt: new Date(now + 60_000).toISOString(), createdBy: "t", comment: "c" };
    const bad = async (body: unknown) => {
      const r = await postJson("/silences", body);
      return [r.status, ((await r.json()) as { error: string }).error];
    };
    expect(await bad({ ...base, matchers: [] })).toEqual([400, "Failed to create silence: at least one matcher required"]);
    expect(await bad({ ...base, matchers: [{ name: "a", value: ".*", isRegex: true }] })).toEqual([400, "Failed to create silence: at least one matcher must not match the empty string"]);
    expect(await bad({ ...base, endsAt: new Date(now - 1000).toISOString(), matchers: [{ name: "a", value: "b", isRegex: false }] })).toEqual([400, "Failed to create silence: end time can't be in the past"]);
    expect(await bad({ ...base, id: "unknown", matchers: [{ name: "a", value: "b", isRegex: false }] })).toEqual([404, "silence not found"]);
  });

  it("status shows the config with secrets as <secret>; receivers are listed", async () => {
    const status = (await (await api("/status")).json()) as Record<string, any>;
    expect(status.cluster.status).toBe("disabled");
    expect(status.versionInfo.version).toBe("0.25.0");
    expect(status.config.original).toContain("<secret>");
    expect(status.config.original).not.toContain("hunter2");
    expect(status.config.original).not.toContain("hook-secret-path");
    expect(status.config.original).not.toContain("bearer-secret-token");
    expect(await (await api("/receivers")).json()).toEqual([{ name: "hook" }, { name: "mail" }]);
  });
});

const notification = (kind = "webhook"): Notification => ({
  receiver: kind === "webhook" ? "hook" : "mail", integration: { kind, index: 0 }, groupKey: '{}:{alertname="Q"}', groupLabels: { alertname: "Q" },
  alerts: [{ status: "firing", labels: { alertname: "Q" }, annotations: {}, startsAt: new Date().toISOString(), endsAt: "0001-01-01T00:00:00Z", generatorURL: "", fingerprint: "f" }],
  truncatedAlerts: 0, externalURL: "http://localhost:8787",
});

async function consume(queue: string, attempts: number, body = notification()) {
  const batch = createMessageBatch<Notification>(queue, [{ id: "m1", timestamp: new Date(), attempts, body }]);
  // getQueueResult does not report retry delays: record them from the message.
  const retry = vi.spyOn(batch.messages[0]!, "retry");
  const ctx = createExecutionContext();
  await worker.queue!(batch as MessageBatch<unknown>, env, ctx);
  const r = await getQueueResult(batch, ctx);
  return { ...r, retryMessages: r.retryMessages.map((m, i) => ({ ...m, delaySeconds: retry.mock.calls[i]?.[0]?.delaySeconds })) };
}

async function metric(name: string, integration: string): Promise<number> {
  const text = await (await SELF.fetch("http://localhost/metrics")).text();
  const m = new RegExp(`^${name}\\{integration="${integration}"\\} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : NaN;
}

describe("notification queue consumer", () => {
  afterEach(() => vi.restoreAllMocks());

  it("delivers the webhook payload and acks; counts it", async () => {
    const before = await metric("alertmanager_notifications_total", "webhook");
    const spy = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("ok"));
    const r = await consume("pyrometer-notifications", 1);
    expect(r.explicitAcks).toEqual(["m1"]);
    expect(r.retryMessages).toEqual([]);
    const [url, init] = spy.mock.calls[0]!;
    expect(String(url)).toBe("http://127.0.0.1:9/hook-secret-path");
    expect(new Headers(init!.headers).get("authorization")).toBe("Bearer bearer-secret-token");
    expect(JSON.parse(String(init!.body))).toMatchObject({ version: "4", receiver: "hook", groupKey: '{}:{alertname="Q"}', status: "firing" });
    spy.mockRestore();
    expect(await metric("alertmanager_notifications_total", "webhook")).toBe(before + 1);
  });

  it("retries a 5xx with exponential backoff; a 4xx fails without retry", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("down", { status: 503 }));
    expect((await consume("pyrometer-notifications", 1)).retryMessages).toEqual([{ msgId: "m1", delaySeconds: 10 }]);
    expect((await consume("pyrometer-notifications", 3)).retryMessages).toEqual([{ msgId: "m1", delaySeconds: 40 }]);
    vi.restoreAllMocks();
    const failedBefore = await metric("alertmanager_notifications_failed_total", "webhook");
    vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response("bad", { status: 400 }));
    const r = await consume("pyrometer-notifications", 1);
    expect(r.explicitAcks).toEqual(["m1"]);
    expect(r.retryMessages).toEqual([]);
    vi.restoreAllMocks();
    expect(await metric("alertmanager_notifications_failed_total", "webhook")).toBe(failedBefore + 1);
  });

  it("an SMTP server that is not there is retried", async () => {
    const r = await consume("pyrometer-notifications", 1, notification("email"));
    expect(r.retryMessages).toEqual([{ msgId: "m1", delaySeconds: 10 }]);
  });

  it("email through the send_email binding when ALERTMANAGER_EMAIL_TRANSPORT=send_email", async () => {
    // The binding is Cloudflare's; here a stand-in records what it is given.
    const sent: Record<string, unknown>[] = [];
    const email = (await import("../../shared/alertmanager/deliver.ts")).buildDelivery;
    const { loadAlertmanagerConfig } = await import("../../workers/alertmanager/load-config.ts");
    const { makeRender } = await import("../../shared/alertmanager/render.ts");
    const { perform } = await import("../../workers/alertmanager/transport.ts");
    const d = await email(loadAlertmanagerConfig(env), notification("email"), makeRender);
    await perform({ ...env, ALERTMANAGER_EMAIL_TRANSPORT: "send_email", EMAIL: { send: async (m: Record<string, unknown>) => void sent.push(m) } as unknown as SendEmail }, d, undefined);
    expect(sent).toEqual([expect.objectContaining({ to: ["oncall@example.org"], from: "am@example.org", subject: "[FIRING:1] Q " })]);
    expect(String(sent[0]!.html)).toContain("Q");
    await expect(perform({ ...env, ALERTMANAGER_EMAIL_TRANSPORT: "send_email" }, d, undefined)).rejects.toThrow(/no EMAIL \(send_email\) binding/);
  });

  it("the dead-letter consumer acks and counts the failure", async () => {
    const before = await metric("pyrometer_alertmanager_notifications_dead_lettered_total", "webhook");
    const failedBefore = await metric("alertmanager_notifications_failed_total", "webhook");
    const r = await consume("pyrometer-notifications-dlq", 6);
    expect(r.explicitAcks).toEqual(["m1"]);
    expect(await metric("pyrometer_alertmanager_notifications_dead_lettered_total", "webhook")).toBe(before + 1);
    expect(await metric("alertmanager_notifications_failed_total", "webhook")).toBe(failedBefore + 1);
  });
});
