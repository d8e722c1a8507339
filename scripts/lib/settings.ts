/** Settings a deployment sets with `wrangler secret put`; `npm start` takes them from its environment. */
export const SECRET_SETTINGS = ["WRITE_TOKEN", "READ_TOKEN", "CORS_ORIGIN"] as const;
