import { describe, it, expect } from "vitest";
import { ServerFlightReader, certificateNotAfter, clientHello } from "./tls-cert.ts";

// Minimal DER: enough structure for the walk to notAfter.
const der = (tag: number, body: number[]): number[] => {
  if (body.length < 128) return [tag, body.length, ...body];
  return [tag, 0x82, body.length >> 8, body.length & 255, ...body];
};
const ascii = (s: string) => [...new TextEncoder().encode(s)];
function cert(notAfter: number[], withVersion = true): number[] {
  const tbs = [
    ...(withVersion ? der(0xa0, der(0x02, [2])) : []),
    ...der(0x02, [1]),
    ...der(0x30, der(0x06, [0x2a, 0x86, 0x48])),
    ...der(0x30, []),
    ...der(0x30, [...der(0x17, ascii("250101000000Z")), ...notAfter]),
    ...der(0x30, []),
  ];
  return der(0x30, [...der(0x30, tbs), ...der(0x30, []), ...der(0x03, [0])]);
}
const u24 = (n: number) => [n >> 16, (n >> 8) & 255, n & 255];
function certificateMessage(certs: number[][]): number[] {
  const list = certs.flatMap((c) => [...u24(c.length), ...c]);
  const body = [...u24(list.length), ...list];
  return [11, ...u24(body.length), ...body];
}
const record = (type: number, body: number[]) => [type, 3, 3, body.length >> 8, body.length & 255, ...body];

describe("reading certificates from a TLS 1.2 server flight", () => {
  it("notAfter from UTCTime and GeneralizedTime, with and without the version field", () => {
    expect(certificateNotAfter(new Uint8Array(cert(der(0x17, ascii("270103214846Z")))))).toBe(Date.UTC(2027, 0, 3, 21, 48, 46) / 1000);
    expect(certificateNotAfter(new Uint8Array(cert(der(0x18, ascii("20550601000000Z")), false)))).toBe(Date.UTC(2055, 5, 1) / 1000);
    expect(() => certificateNotAfter(new Uint8Array(cert(der(0x17, ascii("2701032148Z")))))).toThrow(/unsupported certificate time/);
  });

  it("finds the Certificate message across records and chunk boundaries", () => {
    const serverHello = [2, ...u24(4), 3, 3, 0, 0];
    const msg = certificateMessage([cert(der(0x17, ascii("300101000000Z"))), cert(der(0x17, ascii("290101000000Z")))]);
    const handshake = [...serverHello, ...msg];
    // Two records, the Certificate message split between them, delivered 7 bytes at a time.
    const bytes = [...record(22, handshake.slice(0, 20)), ...record(22, handshake.slice(20))];
    const reader = new ServerFlightReader();
    let result;
    for (let i = 0; i < bytes.length; i += 7) {
      result = reader.push(new Uint8Array(bytes.slice(i, i + 7)));
      if (result.kind !== "more") break;
    }
    expect(result!.kind).toBe("certificates");
    const certs = (result as { certificates: Uint8Array[] }).certificates;
    expect(certs.map(certificateNotAfter)).toEqual([Date.UTC(2030, 0, 1) / 1000, Date.UTC(2029, 0, 1) / 1000]);
  });

  it("an alert (a TLS 1.3-only server) and a flight without a certificate", () => {
    expect(new ServerFlightReader().push(new Uint8Array(record(21, [2, 70])))).toEqual({ kind: "alert", description: 70 });
    expect(() => new ServerFlightReader().push(new Uint8Array(record(22, [14, 0, 0, 0])))).toThrow(/no certificate/);
    expect(() => new ServerFlightReader().push(new Uint8Array(record(23, [1])))).toThrow(/unexpected TLS record type 23/);
  });

  it("the ClientHello offers TLS 1.2 with SNI for names, none for IP literals", () => {
    const random = new Uint8Array(32);
    const named = clientHello("example.com", random);
    expect([...named.subarray(0, 3)]).toEqual([22, 3, 1]);
    expect([...named.subarray(9, 11)]).toEqual([3, 3]);
    expect(new TextDecoder().decode(named)).toContain("example.com");
    const ip = clientHello("127.0.0.1", random);
    expect(ip.length).toBe(named.length - (2 + 2 + 2 + 1 + 2 + "example.com".length));
  });
});
