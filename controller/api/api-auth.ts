/**
 * Auth mode for the JSON API (docs/json-api.md "Auth mode"): with `--auth-keys` configured,
 * every `/v1` request must present one of those key pairs, as `Authorization: Bearer
 * ACCESS_KEY_ID:SECRET` or HTTP Basic (`curl -u ACCESS_KEY_ID:SECRET`). The agent WebSocket is
 * not a /v1 request handled here: agents prove themselves in Hello (docs/agent-protocol.md).
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Credentials } from "../ec2/auth.js";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The `ACCESS_KEY_ID:SECRET` pair an `Authorization` header carries, or undefined. */
function presentedPair(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization ?? "";
  const m = /^(Bearer|Basic) +(\S+)$/i.exec(h.trim());
  if (m === null) return undefined;
  if (m[1]!.toLowerCase() === "bearer") return m[2];
  return Buffer.from(m[2]!, "base64").toString("utf8");
}

/** Whether `headers` present a key pair of `keys` (checked in constant time per key). */
export function isJsonApiAuthorized(headers: IncomingHttpHeaders, keys: Credentials): boolean {
  const pair = presentedPair(headers);
  if (pair === undefined) return false;
  const i = pair.indexOf(":");
  if (i <= 0) return false;
  const akid = pair.slice(0, i);
  const secret = Object.hasOwn(keys, akid) ? keys[akid] : undefined;
  return secret !== undefined && sameSecret(pair.slice(i + 1), secret);
}
