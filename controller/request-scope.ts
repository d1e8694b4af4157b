/**
 * The account and region of one request to any of the endpoint's services (docs/ec2-api.md
 * "Accounts and regions"), with the signature check of auth mode.
 */
import type { IncomingMessage } from "node:http";
import { controllerError } from "./errors.js";
import { credentialScope, verifySigV4 } from "./ec2/auth.js";
import type { AwsServiceContext } from "./services.js";
import { regionInfo } from "./model/regions.js";

/** The account and region one request acts in, and the key it was signed with. */
export interface RequestScope {
  readonly accountId: string;
  readonly region: string;
  /** Undefined for an unsigned request. */
  readonly accessKeyId: string | undefined;
}

/**
 * The account (from the access key, CallerIdentities rules) and region (from the signature's
 * credential scope, else the default region) of `req`. With auth keys configured the signature
 * is verified first for `service` (AuthFailure / SignatureDoesNotMatch); keys STS issued are
 * accepted with their session secret until they expire (ExpiredToken). A region vpcemu does not
 * know (model/regions.ts) answers SignatureDoesNotMatch, as AWS answers a scope naming no region.
 */
export function resolveRequestScope(
  ctx: AwsServiceContext,
  req: IncomingMessage,
  body: Buffer,
  service: string,
): RequestScope {
  const scope = credentialScope(req.headers, req.url);
  if (ctx.auth !== undefined) {
    const akid = scope?.accessKeyId ?? "";
    const session = ctx.identities.session(akid);
    let keys = ctx.auth.keys;
    if (session !== undefined && !Object.hasOwn(keys, akid)) {
      if (Date.parse(session.expiration) <= Date.now())
        throw controllerError("EMU_ERR_AUTH_EXPIRED_TOKEN");
      // A pre-signed URL carries the session token as X-Amz-Security-Token (AUTH-4).
      const url = req.url ?? "/";
      const query = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
      const token = req.headers["x-amz-security-token"] ?? query.get("X-Amz-Security-Token");
      if (token !== session.sessionToken) throw controllerError("EMU_ERR_AUTH_INVALID_TOKEN");
      keys = { ...keys, [akid]: session.secretAccessKey };
    }
    verifySigV4(req.method ?? "GET", req.url ?? "/", req.headers, body, keys, service);
  }
  const signed = scope?.region !== undefined && scope.region !== "" ? scope.region : undefined;
  const region = signed ?? ctx.defaultRegion;
  if (regionInfo(region) === undefined) throw controllerError("EMU_ERR_AUTH_REGION", region);
  return {
    accountId: ctx.identities.accountOf(scope?.accessKeyId),
    region,
    accessKeyId: scope?.accessKeyId,
  };
}
