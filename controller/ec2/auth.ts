import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { controllerError } from "../errors.js";

/** Access key id -> secret access key. */
export type Credentials = Readonly<Record<string, string>>;

function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(search: string): string {
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of new URLSearchParams(search)) pairs.push([rfc3986(k), rfc3986(v)]);
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  // Why hasOwn: a signed header name is user input; `constructor` is no header.
  const v = Object.hasOwn(headers, name) ? headers[name] : undefined;
  const s = Array.isArray(v) ? v.join(",") : (v ?? "");
  return s.trim().replace(/\s+/g, " ");
}

/** The credential scope a request was signed with: `AKID/DATE/REGION/SERVICE/aws4_request`. */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const AUTH_HEADER =
  /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/;

function splitScope(credential: string): CredentialScope | undefined {
  const [accessKeyId = "", date = "", region = "", service = ""] = credential.split("/");
  if (accessKeyId === "") return undefined;
  return { accessKeyId, date, region, service };
}

/**
 * The credential scope of a SigV4-signed request, read (not verified) from the `Authorization`
 * header or a pre-signed URL's `X-Amz-Credential`; undefined for an unsigned request. The
 * controller picks the service (sts, ec2, ...), the account (from the access key) and the region
 * from it; verifySigV4 checks the signature where auth keys are configured.
 */
export function credentialScope(
  headers: IncomingHttpHeaders,
  url: string | undefined,
): CredentialScope | undefined {
  const m = AUTH_HEADER.exec(headerValue(headers, "authorization"));
  if (m?.[1] !== undefined) return splitScope(m[1]);
  const q = (url ?? "").indexOf("?");
  if (q < 0) return undefined;
  const cred = new URLSearchParams((url ?? "").slice(q + 1)).get("X-Amz-Credential");
  return cred === null ? undefined : splitScope(cred);
}

/**
 * Verifies an AWS Signature Version 4 `Authorization` header (for `expectedService`, default
 * `ec2`) against `keys`. Throws AuthFailure (401) when it is missing or names an unknown key,
 * SignatureDoesNotMatch (403) when the signature is wrong or the credential scope names another
 * service. The region in the credential scope is taken as signed. Returns the access key id.
 */
export function verifySigV4(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  keys: Credentials,
  expectedService = "ec2",
): string {
  const m = AUTH_HEADER.exec(headerValue(headers, "authorization"));
  if (m === null) throw controllerError("EMU_ERR_AUTH_MISSING");
  const [, credential = "", signedHeaders = "", signature = ""] = m;
  const [accessKeyId = "", date = "", region = "", service = "", terminator = ""] =
    credential.split("/");
  const secret = Object.hasOwn(keys, accessKeyId) ? keys[accessKeyId] : undefined;
  if (secret === undefined) throw controllerError("EMU_ERR_AUTH_UNKNOWN_KEY");
  if (service !== expectedService) throw controllerError("EMU_ERR_AUTH_SCOPE", expectedService);
  const amzDate = headerValue(headers, "x-amz-date");
  if (terminator !== "aws4_request" || !amzDate.startsWith(date))
    throw controllerError("EMU_ERR_AUTH_SIGNATURE");
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const search = q < 0 ? "" : url.slice(q + 1);
  const names = signedHeaders.split(";");
  const canonicalHeaders = names.map((n) => `${n}:${headerValue(headers, n)}\n`).join("");
  // Why: the body is hashed here; a claimed x-amz-content-sha256 must match it, not replace it.
  const payloadHash = sha256Hex(body);
  const claimed = headerValue(headers, "x-amz-content-sha256");
  if (claimed !== "" && claimed !== payloadHash) throw controllerError("EMU_ERR_AUTH_SIGNATURE");
  const canonicalRequest = [
    method,
    path || "/",
    canonicalQuery(search),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const kDate = hmac(`AWS4${secret}`, date);
  const kSigning = hmac(hmac(hmac(kDate, region), service), "aws4_request");
  const expected = createHmac("sha256", kSigning).update(stringToSign, "utf8").digest("hex");
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(signature, "utf8");
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw controllerError("EMU_ERR_AUTH_SIGNATURE");
  return accessKeyId;
}
