/**
 * @module
 * The probers' I/O in a Worker: the runtime's fetch and `connect()` from
 * cloudflare:sockets.
 */
import { connect } from "cloudflare:sockets";
import type { ProbeIO, ProbeSocket } from "../../shared/probe/index.ts";

export const workerIO: ProbeIO = {
  fetch: (req) => fetch(req),
  connect: (address, options) => connect(address, { secureTransport: options.secureTransport, allowHalfOpen: false }) as unknown as ProbeSocket,
  now: () => Date.now(),
};
