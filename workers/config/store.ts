/**
 * @module
 * ConfigStore: the one Durable Object that holds the configuration in force,
 * so every role (scrapers, head shards, the API, rule evaluation) sees the
 * same config after a reload. A reload reads the source again
 * (source.ts), keeps the old config when the new one is invalid, and records
 * what Prometheus exports as prometheus_config_last_reload_*.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { envConfigText, parseConfigText, readConfigText, sourceFingerprint, textHash } from "./source.ts";
import type { ConfigText } from "./source.ts";

export interface ConfigState extends ConfigText {
  /** Hash of `text`: consumers compare it to learn of a reload. */
  hash: string;
  /** sourceFingerprint() when this text was loaded: a new deploy's secret replaces a reloaded text. */
  source: string;
  lastReloadSuccessful: boolean;
  /** Epoch ms of the last successful (re)load. */
  lastSuccessMs: number;
  /** The error of the last failed reload ("" after a success). */
  lastError: string;
}

export class ConfigStore extends DurableObject<Env> {
  #state: ConfigState | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY, state TEXT NOT NULL)`);
    const row = [...ctx.storage.sql.exec<{ state: string }>(`SELECT state FROM config WHERE id = 1`)][0];
    if (row) this.#state = JSON.parse(row.state) as ConfigState;
  }

  #save(s: ConfigState): ConfigState {
    this.#state = s;
    this.ctx.storage.sql.exec(`INSERT OR REPLACE INTO config (id, state) VALUES (1, ?)`, JSON.stringify(s));
    return s;
  }

  /**
   * The config in force. First use, or a source changed by a deploy (a new
   * PROMETHEUS_CONFIG secret), loads from the environment. An invalid new
   * source is treated as a failed reload: the old config stays and the
   * failure shows in prometheus_config_last_reload_successful. With no old
   * config to keep, it throws.
   */
  async current(): Promise<ConfigState> {
    const source = sourceFingerprint(this.env);
    if (this.#state && this.#state.source === source) return this.#state;
    try {
      const c = this.env.PROMETHEUS_CONFIG_URL ? await readConfigText(this.env) : envConfigText(this.env);
      parseConfigText(c);
      return this.#save({ ...c, hash: textHash(c.text), source, lastReloadSuccessful: true, lastSuccessMs: Date.now(), lastError: "" });
    } catch (e) {
      if (!this.#state) throw e;
      // Remember the source as tried, so every call does not parse it again.
      return this.#save({ ...this.#state, source, lastReloadSuccessful: false, lastError: (e as Error).message });
    }
  }

  /** Reads the source again; an invalid config is refused and the old one stays in force. */
  async reload(): Promise<ConfigState> {
    const old = await this.current().catch(() => undefined);
    const source = sourceFingerprint(this.env);
    try {
      const c = await readConfigText(this.env);
      parseConfigText(c);
      return this.#save({ ...c, hash: textHash(c.text), source, lastReloadSuccessful: true, lastSuccessMs: Date.now(), lastError: "" });
    } catch (e) {
      const lastError = (e as Error).message;
      if (!old) throw e;
      return this.#save({ ...old, lastReloadSuccessful: false, lastError });
    }
  }
}
