/**
 * The AWS services the controller's one endpoint serves besides EC2 (DESIGN.md "Control plane"),
 * and how a request is matched to one, as LocalStack does on its single port:
 *
 *   1. a SigV4-signed request: the service named in its credential scope
 *      (`Credential=AKID/20250101/us-east-1/sts/aws4_request`, or a pre-signed `X-Amz-Credential`);
 *   2. an unsigned Query-protocol request: its `Version` parameter (STS `2011-06-15`, ...);
 *   3. anything else: EC2, which answers an unknown Action with InvalidAction.
 *
 * A service is registered by adding its definition to AWS_SERVICES (one line per service); its
 * handler is built once per controller from the shared AwsServiceContext. EC2 itself is built by
 * app.ts (createEc2Handler) and is the fallback, so it is not listed here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { StateStore } from "./store/state-store.js";
import { credentialScope, type Credentials } from "./ec2/auth.js";
import type { CallerIdentities } from "./sts/identities.js";
import { STS_SERVICE } from "./sts/handler.js";
import { CLOUDFORMATION_SERVICE } from "./cloudformation/handler.js";
import { FIS_SERVICE } from "./fis/handler.js";

/** Answers one request whose body has been read; writes the whole response. */
export type AwsServiceHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
) => Promise<void>;

/** What every service handler is built from: the controller's state and its API settings. */
export interface AwsServiceContext {
  readonly store: StateStore;
  /** Region of requests whose signature names none (unsigned, or the SDK's "" region). */
  readonly defaultRegion: string;
  /** Account of access keys that are not a 12-digit account id (docs/ec2-api.md "Accounts"). */
  readonly defaultAccountId: string;
  /** When set, requests must carry a valid SigV4 signature by one of these keys. */
  readonly auth: { readonly keys: Credentials } | undefined;
  /** Access key -> account, ARN, user id; the sessions STS issued (controller/sts/identities.ts). */
  readonly identities: CallerIdentities;
  /** One line per call, for unexpected (500) failures. */
  readonly log: (line: string) => void;
}

export interface AwsServiceDefinition {
  /** The SigV4 signing name (`sts`, `cloudformation`), also the registry key. */
  readonly name: string;
  /** Query-protocol `Version` values that identify the service in an unsigned request. */
  readonly versions: readonly string[];
  readonly create: (ctx: AwsServiceContext) => AwsServiceHandler;
}

/** Registered services, checked in order. EC2 is the fallback and not listed. */
export const AWS_SERVICES: AwsServiceDefinition[] = [
  STS_SERVICE,
  CLOUDFORMATION_SERVICE,
  FIS_SERVICE,
];

function formParams(req: IncomingMessage, body: Buffer): URLSearchParams {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const params = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  const type = String(req.headers["content-type"] ?? "");
  if (body.length > 0 && type.toLowerCase().startsWith("application/x-www-form-urlencoded"))
    for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params.set(k, v);
  return params;
}

/**
 * The registered service that should answer `req` (rules 1 and 2 above), or undefined for EC2.
 * A signature scoped to `ec2` or to a service not registered also means EC2.
 */
export function pickService(
  services: readonly AwsServiceDefinition[],
  req: IncomingMessage,
  body: Buffer,
): AwsServiceDefinition | undefined {
  const scope = credentialScope(req.headers, req.url);
  if (scope !== undefined) return services.find((s) => s.name === scope.service);
  const version = formParams(req, body).get("Version");
  if (version === null) return undefined;
  return services.find((s) => s.versions.includes(version));
}
