export { decodeWriteRequest, decodeWriteRequestProto } from "./decode.ts";
export type { DecodeOptions } from "./decode.ts";
export { encodeWriteRequest, encodeWriteRequestProto } from "./encode.ts";
export { checkRemoteWriteHeaders, REMOTE_WRITE_HEADERS } from "./content-type.ts";
export { METADATA_TYPES } from "./types.ts";
export type { InvalidSeries, MetadataType, MetricMetadata, WriteRequestData } from "./types.ts";
