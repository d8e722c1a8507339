import { describe, it, expect } from "vitest";
import { ApiError } from "../api/errors.ts";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { compress } from "snappyjs";
import { labelsFromRecord } from "../labels/labels.ts";
import { STALE_NAN, isStaleNaN } from "../tsdb/querier.ts";
import type { SeriesData } from "../tsdb/querier.ts";
import { decodeWriteRequest, decodeWriteRequestProto, encodeWriteRequest, encodeWriteRequestProto } from "./index.ts";
import type { MetricMetadata } from "./index.ts";

function series(rec: Record<string, string>, samples: [number, number][]): SeriesData {
  const s = { labels: labelsFromRecord(rec), t: new Float64Array(samples.length), v: new Float64Array(samples.length) };
  samples.forEach(([t, v], i) => {
    s.t[i] = t;
    s.v[i] = v;
  });
  return s;
}

/** Hand-built TimeSeries message with labels in the given (possibly unsorted, duplicate) order. */
function rawSeries(w: BinaryWriter, labels: [string, string][], samples: [number, number][], extra?: (w: BinaryWriter) => void): void {
  w.tag(1, WireType.LengthDelimited).fork();
  for (const [n, v] of labels) w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(n).tag(2, WireType.LengthDelimited).string(v).join();
  for (const [t, v] of samples) w.tag(2, WireType.LengthDelimited).fork().tag(1, WireType.Bit64).double(v).tag(2, WireType.Varint).int64(t).join();
  extra?.(w);
  w.join();
}

function bits(v: number): bigint {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getBigUint64(0);
}

describe("remote-write codec", () => {
  it("round-trips series and metadata through snappy and protobuf", () => {
    const input = [
      series({ __name__: "up", job: "node", instance: "a:9100" }, [[1700000000000, 1], [1700000015000, 0]]),
      series({ __name__: "temp_celsius", room: "b" }, [[-5, -273.15], [2 ** 52, Infinity]]),
    ];
    const meta: MetricMetadata[] = [{ type: "gauge", metricFamilyName: "temp_celsius", help: "Temperature.", unit: "celsius" }];
    const out = decodeWriteRequest(encodeWriteRequest(input, meta));
    expect(out.series.map((s) => ({ labels: s.labels, t: [...s.t], v: [...s.v] }))).toEqual(
      input.map((s) => ({ labels: s.labels, t: [...s.t], v: [...s.v] })),
    );
    expect(out.metadata).toEqual(meta);
    expect(out.invalid).toEqual([]);
    expect(out.histograms).toBe(0);
  });

  it("keeps the staleness marker's NaN payload bit for bit", () => {
    const s = series({ __name__: "x" }, [[1, 0], [2, 0], [3, 0]]);
    s.v[0] = STALE_NAN;
    s.v[1] = NaN;
    const out = decodeWriteRequest(encodeWriteRequest([s]));
    const v = out.series[0]!.v;
    expect(isStaleNaN(v[0]!)).toBe(true);
    expect(bits(v[0]!)).toBe(0x7ff0000000000002n);
    expect(isStaleNaN(v[1]!)).toBe(false);
    expect(Number.isNaN(v[1]!)).toBe(true);
    // And the encoder writes the marker's exact bytes on the wire.
    const proto = encodeWriteRequestProto([s]);
    const hex = Buffer.from(proto).toString("hex");
    expect(hex).toContain("020000000000f07f");
  });

  it("sorts labels, drops empty values and skips unknown fields", () => {
    const w = new BinaryWriter();
    w.tag(7, WireType.LengthDelimited).string("future field");
    rawSeries(w, [["job", "j"], ["__name__", "m"], ["empty", ""]], [[10, 1.5]], (w) => {
      w.tag(9, WireType.Varint).uint32(42);
      w.tag(10, WireType.Bit32).fixed32(7);
    });
    const out = decodeWriteRequestProto(w.finish());
    expect(out.series).toHaveLength(1);
    expect(out.series[0]!.labels).toEqual([{ name: "__name__", value: "m" }, { name: "job", value: "j" }]);
    expect([...out.series[0]!.t]).toEqual([10]);
  });

  it("counts native histograms and exemplars without failing the request", () => {
    const w = new BinaryWriter();
    rawSeries(w, [["__name__", "h"]], [], (w) => {
      w.tag(4, WireType.LengthDelimited).fork().tag(1, WireType.Varint).uint64(3).join();
      w.tag(4, WireType.LengthDelimited).fork().join();
    });
    rawSeries(w, [["__name__", "c"]], [[1, 2]], (w) => {
      w.tag(3, WireType.LengthDelimited).fork().tag(2, WireType.Bit64).double(1).join();
    });
    const out = decodeWriteRequestProto(w.finish());
    expect(out.histograms).toBe(2);
    expect(out.exemplars).toBe(1);
    expect(out.series.map((s) => s.labels[0]!.value)).toEqual(["c"]);
  });

  it("reports series with invalid labels and keeps the others", () => {
    const w = new BinaryWriter();
    rawSeries(w, [["__name__", "a"], ["x", "1"], ["x", "2"]], [[1, 1]]);
    rawSeries(w, [["job", "nameless"]], [[1, 1], [2, 2]]);
    rawSeries(w, [["__name__", ""], ["job", "j"]], [[1, 1]]);
    rawSeries(w, [["__name__", "ok"]], [[7, 8]]);
    const out = decodeWriteRequestProto(w.finish());
    expect(out.series.map((s) => s.labels[0]!.value)).toEqual(["ok"]);
    expect([...out.series[0]!.t, ...out.series[0]!.v]).toEqual([7, 8]);
    expect(out.invalid).toEqual([
      { labels: '{__name__="a", x="1", x="2"}', reason: 'duplicate label name "x"', samples: 1 },
      { labels: '{job="nameless"}', reason: "missing metric name (__name__ label)", samples: 2 },
      { labels: '{__name__="", job="j"}', reason: "empty metric name", samples: 1 },
    ]);
  });

  it("drops a series whose label value is not UTF-8", () => {
    const w = new BinaryWriter();
    w.tag(1, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string("__name__").tag(2, WireType.LengthDelimited).bytes(new Uint8Array([0xff, 0xfe])).join();
    w.tag(2, WireType.LengthDelimited).fork().tag(1, WireType.Bit64).double(1).join();
    w.join();
    const out = decodeWriteRequestProto(w.finish());
    expect(out.series).toEqual([]);
    expect(out.invalid[0]!.reason).toMatch(/UTF-8/);
  });

  it("keeps metadata with bad UTF-8 help or an unknown type", () => {
    const w = new BinaryWriter();
    w.tag(3, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int32(99).tag(2, WireType.LengthDelimited).string("m").tag(4, WireType.LengthDelimited).bytes(new Uint8Array([0x61, 0xff])).join();
    const out = decodeWriteRequestProto(w.finish());
    expect(out.metadata).toEqual([{ type: "unknown", metricFamilyName: "m", help: "a\ufffd", unit: "" }]);
  });

  it("rejects a body that is not snappy", () => {
    const err = catchError(() => decodeWriteRequest(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/snappy/);
  });

  it("rejects a body that declares more than the size limit", () => {
    const body = encodeWriteRequest([series({ __name__: "x" }, [[1, 1]])]);
    expect(() => decodeWriteRequest(body, { maxDecodedBytes: 4 })).toThrow(/too big/);
  });

  it("rejects truncated protobuf naming the byte", () => {
    const proto = encodeWriteRequestProto([series({ __name__: "x", job: "j" }, [[1, 1], [2, 2]])]);
    const err = catchError(() => decodeWriteRequestProto(proto.subarray(0, proto.length - 5)));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/truncated protobuf WriteRequest: TimeSeries length at byte 1 declares \d+ bytes/);
    // Cut inside a compressed body too: the decoder must fail, not return partial data.
    const err2 = catchError(() => decodeWriteRequest(compress(proto.subarray(0, proto.length - 3))));
    expect(err2).toBeInstanceOf(ApiError);
  });

  it("rejects garbage tags with the byte offset", () => {
    const err = catchError(() => decodeWriteRequestProto(new Uint8Array([0x0a, 0x00, 0x07])));
    expect(err.message).toMatch(/invalid protobuf WriteRequest at byte \d+ of 3: illegal tag/);
  });

  it("refuses to encode fractional timestamps", () => {
    expect(() => encodeWriteRequestProto([series({ __name__: "x" }, [[1.5, 1]])])).toThrow(/sample 0 has timestamp 1.5/);
  });

  it("keeps every series' columns apart across many series", () => {
    const input = Array.from({ length: 3000 }, (_, i) => series({ __name__: "m", i: String(i) }, [[i, i + 0.5], [i + 1, -i], [i + 2, i * 2]]));
    input[1234]!.v[1] = STALE_NAN;
    const out = decodeWriteRequest(encodeWriteRequest(input));
    expect(out.series).toHaveLength(3000);
    const wrong = out.series.filter((s, i) => {
      const v = i === 1234 ? [i + 0.5, NaN, i * 2] : [i + 0.5, -i, i * 2];
      return (
        s.labels[1]!.value !== String(i) ||
        s.t.join() !== [i, i + 1, i + 2].join() ||
        s.v.join() !== v.join() ||
        (i === 1234 && !isStaleNaN(s.v[1]!))
      );
    });
    expect(wrong).toEqual([]);
  });

  it("decodes series longer than a column chunk, keeping stale markers", () => {
    const n = 5000;
    const s = series({ __name__: "big" }, Array.from({ length: n }, (_, i) => [i * 1000, i] as [number, number]));
    s.v[n - 1] = STALE_NAN;
    s.v[3] = STALE_NAN;
    const out = decodeWriteRequest(encodeWriteRequest([s, s]));
    for (const got of out.series) {
      expect(got.t.length).toBe(n);
      expect(got.t[n - 2]).toBe((n - 2) * 1000);
      expect(got.v[n - 2]).toBe(n - 2);
      expect(isStaleNaN(got.v[3]!)).toBe(true);
      expect(isStaleNaN(got.v[n - 1]!)).toBe(true);
    }
  });
});

function catchError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    return e as ApiError;
  }
  throw new Error("expected an error");
}
