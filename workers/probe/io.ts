/**
 * @module
 * The probers' I/O in a Worker: the runtime's fetch and `connect()` from
 * cloudflare:sockets.
 */
import { connect } from "cloudflare:sockets";
import type { ProbeIO, ProbeSocket, SecureTransport } from "../../shared/probe/index.ts";

function wrap(s: Socket): ProbeSocket {
  // A refused or reset connection also rejects `closed`; the prober has seen it through `opened` or a read.
  s.closed.catch(() => undefined);
  return {
    readable: s.readable as ReadableStream<Uint8Array>,
    writable: s.writable as WritableStream<Uint8Array>,
    opened: s.opened,
    close: () => s.close(),
    startTls: () => wrap(s.startTls()),
  };
}

export const workerIO: ProbeIO = {
  fetch: (req) => fetch(req),
  connect: (address, options: { secureTransport: SecureTransport }) => wrap(connect(address, { secureTransport: options.secureTransport, allowHalfOpen: false })),
  now: () => Date.now(),
};
