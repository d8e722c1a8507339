import { describe, it, expect } from "vitest";
import { ApiError } from "../api/errors.ts";
import { checkRemoteWriteHeaders } from "./index.ts";

function status(ct: string | null, enc?: string | null): number | string {
  try {
    checkRemoteWriteHeaders(ct, enc);
    return "ok";
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return (e as ApiError).status;
  }
}

describe("checkRemoteWriteHeaders", () => {
  it("accepts remote write 1.0 with or without the proto parameter", () => {
    expect(status("application/x-protobuf", "snappy")).toBe("ok");
    expect(status("application/x-protobuf;proto=prometheus.WriteRequest", "SNAPPY")).toBe("ok");
    expect(status(null, null)).toBe("ok");
    expect(status("", undefined)).toBe("ok");
  });

  it("rejects remote write 2.0 with 415 saying only 1.0 is supported", () => {
    expect(status("application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy")).toBe(415);
    expect(() => checkRemoteWriteHeaders("application/x-protobuf;proto=io.prometheus.write.v2.Request")).toThrow(
      /io\.prometheus\.write\.v2\.Request .*only remote write 1\.0 \(prometheus\.WriteRequest\) is supported/,
    );
  });

  it("rejects other media types and encodings with 415", () => {
    expect(status("application/json")).toBe(415);
    expect(status("application/x-protobuf;bogus")).toBe(415);
    expect(status("application/x-protobuf", "gzip")).toBe(415);
    expect(() => checkRemoteWriteHeaders("application/x-protobuf", "zstd")).toThrow(/zstd encoding/);
  });
});
