/**
 * @module
 * In-memory I/O for the probers' tests and the bench: a fetch answered by a
 * function (a loopback server without the network) and sockets whose far end
 * is a scripted peer. Counts what a Worker would be billed as subrequests.
 */
import type { ProbeIO, ProbeSocket, SecureTransport } from "./context.ts";

/** The far end of a fake connection. */
export interface Peer {
  /** The next line the prober sent (without "\n"), or undefined once it closed. */
  readLine(): Promise<string | undefined>;
  write(text: string): Promise<void>;
  end(): Promise<void>;
  /** How the socket was opened, and whether startTls() was called. */
  secureTransport: SecureTransport;
  upgraded: boolean;
}

export interface FakeIO extends ProbeIO {
  fetches: Request[];
  connects: { hostname: string; port: number; secureTransport: SecureTransport }[];
}

export function fakeIO(opts: { fetch?: (req: Request) => Promise<Response> | Response; peer?: (p: Peer) => Promise<void>; refuse?: boolean } = {}): FakeIO {
  const io: FakeIO = {
    fetches: [],
    connects: [],
    async fetch(req) {
      io.fetches.push(req);
      if (opts.fetch === undefined) throw new TypeError("fetch failed");
      return opts.fetch(req);
    },
    connect(address, o) {
      io.connects.push({ ...address, secureTransport: o.secureTransport });
      return fakeSocket(o.secureTransport, opts.refuse ? undefined : opts.peer);
    },
    now: () => performance.now(),
  };
  return io;
}

function fakeSocket(secureTransport: SecureTransport, script: ((p: Peer) => Promise<void>) | undefined): ProbeSocket {
  const up = new TransformStream<Uint8Array, Uint8Array>();
  const down = new TransformStream<Uint8Array, Uint8Array>();
  const upReader = up.readable.getReader();
  const downWriter = down.writable.getWriter();
  const dec = new TextDecoder();
  let buffered = "";
  const peer: Peer = {
    secureTransport,
    upgraded: false,
    async readLine() {
      while (!buffered.includes("\n")) {
        const r = await upReader.read();
        if (r.done) return undefined;
        buffered += dec.decode(r.value);
      }
      const i = buffered.indexOf("\n");
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      return line;
    },
    write: (text) => downWriter.write(new TextEncoder().encode(text)),
    end: () => downWriter.close().catch(() => undefined),
  };
  const opened = script === undefined ? Promise.reject(new Error("connection refused")) : Promise.resolve({});
  opened.catch(() => undefined);
  if (script !== undefined) void script(peer).catch(() => undefined);
  const socket: ProbeSocket = {
    readable: down.readable,
    writable: up.writable,
    opened,
    close: async () => {
      await upReader.cancel().catch(() => undefined);
    },
    startTls() {
      if (secureTransport !== "starttls") throw new Error("startTls() needs secureTransport: starttls");
      peer.upgraded = true;
      return socket;
    },
  };
  return socket;
}
