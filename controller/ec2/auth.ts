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

/** How far a request's `X-Amz-Date` may be from the server's clock (AUTH-1). */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;
/** Longest `X-Amz-Expires` of a pre-signed request: 7 days (AUTH-4). */
export const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 3600;

/** `20261207T183000Z` -> epoch ms, or NaN. */
function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h, mi, se] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
}

function amzDateOf(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/**
 * AUTH-1: a request dated more than 15 minutes from `nowMs` (or, pre-signed, past its expiry)
 * answers EC2's RequestExpired; the other services (STS, CloudFormation, FIS) answer
 * SignatureDoesNotMatch with AWS's "Signature expired" / "Signature not yet current" text.
 */
function checkRequestTime(
  amzDate: string,
  nowMs: number,
  service: string,
  expiresS: number | undefined,
): void {
  const t = parseAmzDate(amzDate);
  if (Number.isNaN(t)) throw controllerError("EMU_ERR_AUTH_SIGNATURE");
  const late = expiresS === undefined ? nowMs - t > MAX_CLOCK_SKEW_MS : nowMs > t + expiresS * 1000;
  const early = t - nowMs > MAX_CLOCK_SKEW_MS;
  if (!late && !early) return;
  if (service === "ec2") throw controllerError("EMU_ERR_AUTH_REQUEST_EXPIRED", amzDate);
  const now = amzDateOf(nowMs);
  if (late && expiresS === undefined)
    throw controllerError(
      "EMU_ERR_AUTH_SIGNATURE_EXPIRED",
      amzDate,
      amzDateOf(nowMs - MAX_CLOCK_SKEW_MS),
      now,
    );
  if (late) throw controllerError("EMU_ERR_AUTH_SIGNATURE_EXPIRED", amzDate, amzDateOf(nowMs), now);
  throw controllerError(
    "EMU_ERR_AUTH_SIGNATURE_NOT_YET_CURRENT",
    amzDate,
    amzDateOf(nowMs + MAX_CLOCK_SKEW_MS),
    now,
  );
}

/** What one SigV4 signature (header or pre-signed query) claims. */
interface SignatureClaim {
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly amzDate: string;
  /** Pre-signed only: `X-Amz-Expires` seconds. */
  readonly expiresS: number | undefined;
  /** The query string the canonical request covers (pre-signed: without X-Amz-Signature). */
  readonly search: string;
}

const PRESIGN_PARAMS = [
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Signature",
  "X-Amz-Date",
  "X-Amz-SignedHeaders",
  "X-Amz-Expires",
] as const;

/** Whether `url` carries SigV4 query authentication (a pre-signed URL). */
function isPresigned(search: string): boolean {
  return /(^|&)X-Amz-(Algorithm|Signature|Credential)=/.test(search);
}

function readClaim(headers: IncomingHttpHeaders, search: string): SignatureClaim {
  const authorization = headerValue(headers, "authorization");
  if (authorization === "" && isPresigned(search)) {
    // AWS-BEHAVIOUR AUTH-4: SigV4 query authentication.
    const q = new URLSearchParams(search);
    const v = PRESIGN_PARAMS.map((n) => q.get(n) ?? "");
    const [algorithm, credential, signature, amzDate, signedHeaders, expires] = v;
    if (v.includes("")) throw controllerError("EMU_ERR_AUTH_QUERY_INCOMPLETE");
    if (algorithm !== "AWS4-HMAC-SHA256") throw controllerError("EMU_ERR_AUTH_QUERY_INCOMPLETE");
    const expiresS = /^\d{1,7}$/.test(expires ?? "") ? Number(expires) : Number.NaN;
    if (!(expiresS >= 1 && expiresS <= MAX_PRESIGNED_EXPIRES_S))
      throw controllerError("EMU_ERR_AUTH_SIGNATURE");
    const unsigned = search
      .split("&")
      .filter((p) => !/^X-Amz-Signature=/.test(p))
      .join("&");
    return {
      credential: credential ?? "",
      signedHeaders: signedHeaders ?? "",
      signature: signature ?? "",
      amzDate: amzDate ?? "",
      expiresS,
      search: unsigned,
    };
  }
  const m = AUTH_HEADER.exec(authorization);
  if (m === null) throw controllerError("EMU_ERR_AUTH_MISSING");
  const [, credential = "", signedHeaders = "", signature = ""] = m;
  const names = signedHeaders.split(";");
  if (!names.includes("host")) throw controllerError("EMU_ERR_AUTH_HOST_UNSIGNED");
  const amzDate = headerValue(headers, "x-amz-date");
  if (amzDate === "") throw controllerError("EMU_ERR_AUTH_DATE_MISSING", "AWS4-HMAC-SHA256");
  if (!names.includes("x-amz-date")) throw controllerError("EMU_ERR_AUTH_DATE_UNSIGNED");
  return { credential, signedHeaders, signature, amzDate, expiresS: undefined, search };
}

/**
 * Verifies an AWS Signature Version 4 request (for `expectedService`, default `ec2`) against
 * `keys`: an `Authorization` header, or a pre-signed URL's `X-Amz-*` query parameters (AUTH-4).
 * In the order AWS checks them: AuthFailure (401) when there is no signature or it names an
 * unknown key; SignatureDoesNotMatch (403) when `host` (or, in a header, `x-amz-date`) is not
 * signed (AUTH-2, AUTH-3), the scope names another service or the signature is wrong;
 * IncompleteSignature (400) without `X-Amz-Date` or with a pre-signed parameter missing; a
 * date more than 15 minutes from `nowMs`, or a pre-signed URL past `X-Amz-Expires`, answers
 * checkRequestTime's error (AUTH-1). Returns the access key id.
 *
 * Why not @smithy/signature-v4 here: its signer is asynchronous and every service resolves the
 * request scope synchronously; test/unit/controller/ec2/auth.test.ts checks this verifier
 * against requests that signer signed and pre-signed, so both agree byte for byte.
 */
export function verifySigV4(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  keys: Credentials,
  expectedService = "ec2",
  nowMs: number = Date.now(),
): string {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const claim = readClaim(headers, q < 0 ? "" : url.slice(q + 1));
  const { credential, signedHeaders, signature, amzDate } = claim;
  const names = signedHeaders.split(";");
  if (!names.includes("host")) throw controllerError("EMU_ERR_AUTH_HOST_UNSIGNED");
  checkRequestTime(amzDate, nowMs, expectedService, claim.expiresS);
  const [accessKeyId = "", date = "", region = "", service = "", terminator = ""] =
    credential.split("/");
  const secret = Object.hasOwn(keys, accessKeyId) ? keys[accessKeyId] : undefined;
  if (secret === undefined) throw controllerError("EMU_ERR_AUTH_UNKNOWN_KEY");
  if (service !== expectedService) throw controllerError("EMU_ERR_AUTH_SCOPE", expectedService);
  if (terminator !== "aws4_request" || !amzDate.startsWith(date))
    throw controllerError("EMU_ERR_AUTH_SIGNATURE");
  const canonicalHeaders = names.map((n) => `${n}:${headerValue(headers, n)}\n`).join("");
  // Why: the body is hashed here; a claimed x-amz-content-sha256 must match it, not replace it.
  const payloadHash = sha256Hex(body);
  const claimed = headerValue(headers, "x-amz-content-sha256");
  if (claimed !== "" && claimed !== payloadHash) throw controllerError("EMU_ERR_AUTH_SIGNATURE");
  const canonicalRequest = [
    method,
    path || "/",
    canonicalQuery(claim.search),
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
