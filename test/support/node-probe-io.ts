/**
 * @module
 * The probers' I/O on Node (tests only): global fetch and node:net sockets
 * shaped like cloudflare:sockets, so a prober can talk to a real local server.
 */
import { connect } from "node:net";
import { Duplex } from "node:stream";
import type { ProbeIO, ProbeSocket } from "../../shared/probe/index.ts";

export const nodeProbeIO: ProbeIO = {
  fetch: (req) => fetch(req),
  connect(address, options) {
    if (options.secureTransport !== "off") throw new Error("nodeProbeIO: only plain sockets");
    const s = connect(address.port, address.hostname);
    const opened = new Promise<void>((resolve, reject) => {
      s.once("connect", () => resolve());
      s.once("error", reject);
    });
    opened.catch(() => undefined);
    const web = Duplex.toWeb(s) as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
    const sock: ProbeSocket = {
      readable: web.readable,
      writable: web.writable,
      opened,
      close: async () => void s.destroy(),
      startTls: () => {
        throw new Error("nodeProbeIO: no STARTTLS");
      },
    };
    return sock;
  },
  now: () => performance.now(),
};
