/**
 * @module
 * Instant queries against a running Pyrometer's HTTP API, for end-to-end tests.
 */
export interface Vec {
  metric: Record<string, string>;
  value: [number, string];
}

/** The instant vector `q` evaluates to now; throws with the API's error. */
export async function instantQuery(baseUrl: string, q: string): Promise<Vec[]> {
  const res = await fetch(`${baseUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { status: string; data: { result: Vec[] }; error?: string };
  if (body.status !== "success") throw new Error(`${q}: ${body.error}`);
  return body.data.result;
}
