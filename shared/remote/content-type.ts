/**
 * @module
 * Remote-write request header negotiation. Only remote-write 1.0
 * (`prometheus.WriteRequest`) is accepted; a 2.0 body is refused with 415 so a
 * sender configured for 2.0 can fall back, as Prometheus's receiver does.
 */
import { ApiError } from "../api/errors.ts";

/** The headers a remote-write 1.0 sender sets. */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Encoding": "snappy",
  "Content-Type": "application/x-protobuf",
  "X-Prometheus-Remote-Write-Version": "0.1.0",
});

const MEDIA_TYPE = "application/x-protobuf";
const V1_MESSAGE = "prometheus.WriteRequest";

/**
 * Throws a 415 ApiError unless the request is remote-write 1.0 with
 * snappy encoding. Missing headers are taken as 1.0 and snappy, as Prometheus
 * does for old senders.
 */
export function checkRemoteWriteHeaders(contentType: string | null | undefined, contentEncoding?: string | null): void {
  const ct = (contentType ?? "").trim();
  if (ct !== "") {
    const parts = ct.split(";");
    const media = parts[0]!.trim().toLowerCase();
    if (media !== MEDIA_TYPE) {
      throw new ApiError("bad_data", `unsupported content type ${JSON.stringify(ct)}: remote write needs ${MEDIA_TYPE}`, 415);
    }
    for (const p of parts.slice(1)) {
      const eq = p.indexOf("=");
      if (eq < 0) throw new ApiError("bad_data", `malformed parameter ${JSON.stringify(p.trim())} in content type ${JSON.stringify(ct)}`, 415);
      if (p.slice(0, eq).trim().toLowerCase() !== "proto") continue;
      const msg = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      if (msg !== V1_MESSAGE) {
        throw new ApiError("bad_data", 
          `${msg} protobuf message is not accepted by this server: only remote write 1.0 (${V1_MESSAGE}) is supported`,
          415,
        );
      }
    }
  }
  const enc = (contentEncoding ?? "").trim().toLowerCase();
  if (enc !== "" && enc !== "snappy") {
    throw new ApiError("bad_data", `${contentEncoding} encoding (compression) is not accepted by this server; only snappy is acceptable`, 415);
  }
}
