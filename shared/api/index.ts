export * from "./params.ts";
export * from "./prom-json.ts";
export * from "./errors.ts";
