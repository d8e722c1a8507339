/**
 * @module
 * The one error type of the HTTP API. Every handler throws (or maps to) an
 * `ApiError`; one `onError` renders it as Prometheus's error envelope
 * `{status:"error", errorType, error}`. Only Prometheus's `errorType` values
 * exist; the HTTP status defaults to Prometheus's for that type and can be
 * set where a transport status says more (401, 404, 413).
 */

/** Prometheus's errorType values (web/api/v1 errorType*). */
export type ErrorType = "timeout" | "canceled" | "execution" | "bad_data" | "internal" | "unavailable" | "not_found" | "not_acceptable";

/** Prometheus's HTTP status per errorType. */
export const ERROR_STATUS: Record<ErrorType, number> = {
  bad_data: 400,
  execution: 422,
  canceled: 503,
  timeout: 503,
  internal: 500,
  unavailable: 503,
  not_found: 404,
  not_acceptable: 406,
};

export class ApiError extends Error {
  readonly errorType: ErrorType;
  readonly status: number;
  constructor(errorType: ErrorType, message: string, status?: number) {
    super(message);
    this.name = "ApiError";
    this.errorType = errorType;
    this.status = status ?? ERROR_STATUS[errorType];
  }
}

/** The JSON body Prometheus answers an error with. */
export function errorBody(e: ApiError): { status: "error"; errorType: ErrorType; error: string } {
  return { status: "error", errorType: e.errorType, error: e.message };
}
