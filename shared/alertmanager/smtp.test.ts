// The SMTP dialogue and MIME message, driven by scripted server replies
// (the e2e test talks to a real aiosmtpd server).
import { describe, it, expect } from "vitest";
import { SmtpDialogue, SmtpError, dotStuff, parseReplies } from "./smtp.ts";
import { buildMime, encodeHeader, quotedPrintable } from "./mime.ts";
import type { SmtpSettings } from "./notifiers/types.ts";

const base: SmtpSettings = {
  smarthost: "127.0.0.1:25", hello: "pyro", from: "am@x", to: ["a@x", "b@x"], authUsername: "", authPassword: "",
  authSecret: "", authIdentity: "", requireTls: false,
};

/** Runs the dialogue against scripted replies; returns what the client sent. */
function run(s: SmtpSettings, replies: string[], tls = false): string[] {
  const d = new SmtpDialogue(s, "Subject: x\r\n\r\n.hidden\r\nbody\r\n", tls);
  const sent: string[] = [];
  for (const r of replies) {
    const { replies: [reply] } = parseReplies(r);
    const step = d.next(reply!);
    if ("done" in step) break;
    if ("startTls" in step) {
      sent.push("<starttls>");
      sent.push(...(("send" in d.afterTls()) ? ["EHLO pyro\r\n"] : []));
      continue;
    }
    sent.push(step.send);
  }
  return sent;
}

describe("SMTP dialogue", () => {
  it("plain SMTP without auth, several recipients, dot-stuffed body", () => {
    const sent = run(base, ["220 hi\r\n", "250-srv\r\n250 8BITMIME\r\n", "250 ok\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n", "221 bye\r\n"]);
    expect(sent).toEqual([
      "EHLO pyro\r\n", "MAIL FROM:<am@x>\r\n", "RCPT TO:<a@x>\r\n", "RCPT TO:<b@x>\r\n", "DATA\r\n",
      "Subject: x\r\n\r\n..hidden\r\nbody\r\n.\r\n", "QUIT\r\n",
    ]);
  });
  it("STARTTLS when offered, EHLO again, then AUTH PLAIN", () => {
    const s = { ...base, to: ["a@x"], authUsername: "u", authPassword: "p", requireTls: true };
    const sent = run(s, ["220 hi\r\n", "250-srv\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n", "220 go ahead\r\n", "250-srv\r\n250 AUTH PLAIN LOGIN\r\n", "235 ok\r\n"]);
    expect(sent).toEqual(["EHLO pyro\r\n", "STARTTLS\r\n", "<starttls>", "EHLO pyro\r\n", `AUTH PLAIN ${btoa("\0u\0p")}\r\n`, "MAIL FROM:<am@x>\r\n"]);
  });
  it("AUTH LOGIN when PLAIN is not offered", () => {
    const s = { ...base, authUsername: "u", authPassword: "p" };
    const sent = run(s, ["220 hi\r\n", "250-srv\r\n250 AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n", "235 ok\r\n"], true);
    expect(sent).toEqual(["EHLO pyro\r\n", "AUTH LOGIN\r\n", `${btoa("u")}\r\n`, `${btoa("p")}\r\n`, "MAIL FROM:<am@x>\r\n"]);
  });
  it("require_tls without STARTTLS fails, not retryable", () => {
    const d = new SmtpDialogue({ ...base, requireTls: true }, "", false);
    d.next({ code: 220, lines: ["hi"] });
    let err: unknown;
    try {
      d.next({ code: 250, lines: ["srv"] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SmtpError);
    expect((err as SmtpError).message).toMatch(/does not advertise the STARTTLS extension/);
    expect((err as SmtpError).retryable).toBe(false);
  });
  it("falls back to HELO when EHLO is refused; a 4xx is retryable", () => {
    const d = new SmtpDialogue(base, "", false);
    d.next({ code: 220, lines: [""] });
    expect(d.next({ code: 502, lines: ["no"] })).toEqual({ send: "HELO pyro\r\n" });
    expect(d.next({ code: 250, lines: ["ok"] })).toEqual({ send: "MAIL FROM:<am@x>\r\n" });
    let err: SmtpError | undefined;
    try {
      d.next({ code: 451, lines: ["try later"] });
    } catch (e) {
      err = e as SmtpError;
    }
    expect(err?.retryable).toBe(true);
  });
  it("parses multi-line and split replies", () => {
    expect(parseReplies("250-a\r\n250-b\r\n250 c\r\n220 x")).toEqual({ replies: [{ code: 250, lines: ["a", "b", "c"] }], rest: "220 x" });
    expect(parseReplies("250-a\r\n")).toEqual({ replies: [], rest: "250-a\r\n" });
  });
  it("dot-stuffs and terminates", () => {
    expect(dotStuff(".a\n..b\nc")).toBe("..a\r\n...b\r\nc\r\n.\r\n");
  });
});

describe("MIME", () => {
  // Laid out as Debian's Alertmanager 0.25 writes it (checked against a mail it sent to aiosmtpd).
  it("builds multipart/alternative with quoted-printable parts and encoded headers", () => {
    const m = buildMime({ headers: { Subject: "[FIRING:1] Über", To: "a@x" }, text: "t", html: "<p>h=1</p>", date: new Date(0), messageId: "<1@x>", boundary: "B" });
    expect(m).toBe([
      "Subject: =?UTF-8?q?[FIRING:1]_=C3=9Cber?=", "To: a@x", "Message-Id: <1@x>", "Date: Thu, 01 Jan 1970 00:00:00 +0000",
      "Content-Type: multipart/alternative;  boundary=B", "MIME-Version: 1.0", "", "--B", "Content-Transfer-Encoding: quoted-printable",
      "Content-Type: text/plain; charset=UTF-8", "", "t", "--B", "Content-Transfer-Encoding: quoted-printable",
      "Content-Type: text/html; charset=UTF-8", "", "<p>h=3D1</p>", "--B--", "",
    ].join("\r\n"));
  });
  it("soft-wraps long lines at 76 columns", () => {
    const q = quotedPrintable("a".repeat(100));
    expect(q.split("\r\n").every((l) => l.length <= 76)).toBe(true);
    expect(q.replace(/=\r\n/g, "")).toBe("a".repeat(100));
    expect(encodeHeader("plain")).toBe("plain");
  });
});
