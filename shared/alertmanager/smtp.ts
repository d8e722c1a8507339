/**
 * @module
 * The SMTP client dialogue as a pure state machine: the Worker's socket shell
 * feeds it each server reply and writes what it returns. EHLO (HELO when
 * refused), STARTTLS when offered (required unless `require_tls: false`),
 * AUTH PLAIN / LOGIN, MAIL/RCPT/DATA with dot-stuffing, QUIT.
 */
import type { SmtpSettings } from "./notifiers/types.ts";

export interface SmtpReply {
  code: number;
  lines: string[];
}

export type SmtpStep = { send: string; secret?: boolean } | { startTls: true } | { done: true };

export class SmtpError extends Error {
  override name = "SmtpError";
  readonly code: number;
  /** 4xx and protocol surprises are worth retrying; 5xx are not. */
  readonly retryable: boolean;
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
    this.retryable = code === 0 || (code >= 400 && code < 500);
  }
}

/**
 * Splits reply text into complete replies: `250-a` continues, `250 b` ends one.
 * Returns the replies and what is left over (an incomplete line or reply).
 */
export function parseReplies(buffer: string): { replies: SmtpReply[]; rest: string } {
  const replies: SmtpReply[] = [];
  let lines: string[] = [];
  let consumed = 0;
  let pos = 0;
  for (;;) {
    const nl = buffer.indexOf("\n", pos);
    if (nl < 0) break;
    const line = buffer.slice(pos, nl).replace(/\r$/, "");
    pos = nl + 1;
    const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
    if (m === null) throw new SmtpError(`malformed SMTP reply line: ${JSON.stringify(line.slice(0, 100))}`, 0);
    lines.push(m[3]!);
    if (m[2] !== "-") {
      replies.push({ code: Number(m[1]), lines });
      lines = [];
      consumed = pos;
    }
  }
  return { replies, rest: buffer.slice(consumed) };
}

/** Doubles leading dots and normalises to CRLF, ending with the `.` terminator (RFC 5321 §4.5.2). */
export function dotStuff(message: string): string {
  const body = message.replace(/\r?\n/g, "\r\n").replace(/\r\n$/, "");
  return body.split("\r\n").map((l) => (l.startsWith(".") ? "." + l : l)).join("\r\n") + "\r\n.\r\n";
}

function b64(s: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

type State = "greeting" | "ehlo" | "helo" | "starttls" | "auth-plain" | "auth-login-user" | "auth-login-pass" | "auth-done"
  | "mail" | "rcpt" | "data" | "body" | "quit" | "done";

export class SmtpDialogue {
  #state: State = "greeting";
  #tls: boolean;
  #ext = new Map<string, string>();
  #rcpt = 0;
  readonly #s: SmtpSettings;
  readonly #message: string;

  /** `tls`: the connection is already encrypted (implicit TLS on 465). */
  constructor(settings: SmtpSettings, message: string, tls: boolean) {
    this.#s = settings;
    this.#message = message;
    this.#tls = tls;
  }

  get state(): string {
    return this.#state;
  }

  /** Call once the socket has upgraded after a STARTTLS step: EHLO again, as RFC 3207 requires. */
  afterTls(): SmtpStep {
    this.#tls = true;
    this.#ext.clear();
    this.#state = "ehlo";
    return { send: `EHLO ${this.#s.hello}\r\n` };
  }

  next(r: SmtpReply): SmtpStep {
    const fail = (what: string): never => {
      throw new SmtpError(`${what}: ${r.code} ${r.lines.join(" ")}`, r.code);
    };
    switch (this.#state) {
      case "greeting":
        if (r.code !== 220) fail("SMTP greeting");
        this.#state = "ehlo";
        return { send: `EHLO ${this.#s.hello}\r\n` };
      case "ehlo":
        if (r.code >= 500) {
          this.#state = "helo";
          return { send: `HELO ${this.#s.hello}\r\n` };
        }
        if (r.code !== 250) fail("EHLO");
        for (const l of r.lines.slice(1)) {
          const [k, ...rest] = l.split(" ");
          this.#ext.set(k!.toUpperCase(), rest.join(" "));
        }
        return this.#afterHello();
      case "helo":
        if (r.code !== 250) fail("HELO");
        return this.#afterHello();
      case "starttls":
        if (r.code !== 220) fail("STARTTLS");
        return { startTls: true };
      case "auth-plain":
      case "auth-login-pass":
        if (r.code !== 235) fail("SMTP authentication");
        return this.#mail();
      case "auth-login-user":
        if (r.code !== 334) fail("AUTH LOGIN");
        if (this.#rcpt === 0) {
          this.#rcpt = 1;
          return { send: b64(this.#s.authUsername) + "\r\n", secret: true };
        }
        this.#rcpt = 0;
        this.#state = "auth-login-pass";
        return { send: b64(this.#s.authPassword) + "\r\n", secret: true };
      case "mail":
        if (r.code !== 250) fail("MAIL FROM");
        this.#state = "rcpt";
        this.#rcpt = 0;
        return { send: `RCPT TO:<${this.#s.to[0]}>\r\n` };
      case "rcpt":
        if (r.code !== 250 && r.code !== 251) fail(`RCPT TO ${this.#s.to[this.#rcpt]}`);
        this.#rcpt++;
        if (this.#rcpt < this.#s.to.length) return { send: `RCPT TO:<${this.#s.to[this.#rcpt]}>\r\n` };
        this.#state = "data";
        return { send: "DATA\r\n" };
      case "data":
        if (r.code !== 354) fail("DATA");
        this.#state = "body";
        return { send: dotStuff(this.#message) };
      case "body":
        if (r.code !== 250) fail("message");
        this.#state = "quit";
        return { send: "QUIT\r\n" };
      case "quit":
        this.#state = "done";
        return { done: true };
      default:
        throw new SmtpError(`unexpected SMTP reply in state ${this.#state}: ${r.code}`, 0);
    }
  }

  #afterHello(): SmtpStep {
    if (!this.#tls) {
      if (this.#ext.has("STARTTLS")) {
        this.#state = "starttls";
        return { send: "STARTTLS\r\n" };
      }
      if (this.#s.requireTls) {
        throw new SmtpError(`'require_tls' is true (default) but "${this.#s.smarthost}" does not advertise the STARTTLS extension`, 500);
      }
    }
    const mechs = (this.#ext.get("AUTH") ?? "").toUpperCase().split(/\s+/);
    // As Alertmanager: authenticate only when a username is set and the server offers AUTH.
    if (this.#s.authUsername !== "" && this.#ext.has("AUTH")) {
      if (mechs.includes("PLAIN") && this.#s.authPassword !== "") {
        this.#state = "auth-plain";
        return { send: `AUTH PLAIN ${b64(`${this.#s.authIdentity}\0${this.#s.authUsername}\0${this.#s.authPassword}`)}\r\n`, secret: true };
      }
      if (mechs.includes("LOGIN") && this.#s.authPassword !== "") {
        this.#state = "auth-login-user";
        this.#rcpt = 0;
        return { send: "AUTH LOGIN\r\n" };
      }
      throw new SmtpError(`unknown auth mechanism: ${mechs.join(" ")}`, 500);
    }
    return this.#mail();
  }

  #mail(): SmtpStep {
    this.#state = "mail";
    return { send: `MAIL FROM:<${this.#s.from}>\r\n` };
  }
}
