import type { IncomingMessage, ServerResponse } from "node:http";
import { ControllerError, controllerError } from "../errors.js";
import { newRequestId } from "../ids.js";
import type { StateStore } from "../store/state-store.js";
import { EC2_ACTIONS, isReadOnlyAction } from "./actions.js";
import type { Credentials } from "./auth.js";
import { resolveRequestScope } from "../request-scope.js";
import { checkParameters } from "./parameters.js";
import { QueryParams, checkRequestBounds } from "./query.js";
import { renderError, renderSuccess } from "./xml.js";
import type { AwsServiceContext } from "../services.js";
import { CallerIdentities } from "../sts/identities.js";

export interface Ec2Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface Ec2HandlerOptions {
  /** Region of requests whose signature names none (unsigned requests); default "us-east-1". */
  readonly region?: string;
  /** The default account: of access keys that are not a 12-digit account id; default "123456789012". */
  readonly accountId?: string;
  /** When set, requests must carry a valid SigV4 signature by one of these keys. */
  readonly auth?: { readonly keys: Credentials };
  readonly logger?: Ec2Logger;
}

/**
 * The EC2 Query handler. `context` is what the other services of the same endpoint are built
 * from (controller/services.ts): the store and the API settings this handler was created with.
 */
export interface Ec2Handler {
  (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
  readonly context: AwsServiceContext;
}

/** Largest request body read by readRequestBody (bytes). */
export const MAX_EC2_BODY_BYTES = 1 << 20;

/**
 * Bytes of an oversized body read and discarded before answering (LIM-1): so a client that is
 * still sending reads the 413 instead of a reset connection. Beyond it the answer goes out at once.
 */
export const MAX_DISCARDED_BODY_BYTES = 64 << 20;

/**
 * Reads a request body fully; beyond `limit` bytes it stops keeping them, reads the rest
 * (up to MAX_DISCARDED_BODY_BYTES) and rejects with RequestEntityTooLarge (LIM-1).
 */
export function readRequestBody(req: IncomingMessage, limit = MAX_EC2_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => controllerError("EMU_ERR_REQ_BODY_TOO_LARGE", limit);
    if (Number(req.headers["content-length"] ?? 0) > limit + MAX_DISCARDED_BODY_BYTES) {
      reject(tooLarge());
      return;
    }
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit + MAX_DISCARDED_BODY_BYTES) {
        req.removeAllListeners("data");
        req.resume();
        reject(tooLarge());
        return;
      }
      if (size <= limit) chunks.push(c);
    });
    req.on("end", () => (size > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

/**
 * The EC2 Query API (AWS-BEHAVIOUR API-1..API-8): `POST /` with a form body, or GET with the
 * same query. Answers AWS's XML with `Server: AmazonEC2`; errors in AWS's error body with the
 * catalogue's status (400, 401/403 auth, 412 DryRunOperation, 500 InternalError, logged with
 * the request id). The caller reads the body (readRequestBody) and routes `/` here.
 */
export function createEc2Handler(store: StateStore, opts: Ec2HandlerOptions = {}): Ec2Handler {
  const context: AwsServiceContext = {
    store,
    defaultRegion: opts.region ?? "us-east-1",
    defaultAccountId: opts.accountId ?? "123456789012",
    auth: opts.auth,
    identities: new CallerIdentities(store, opts.accountId ?? "123456789012"),
    log: (line) => opts.logger?.error(line),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const requestId = newRequestId();
    const send = (status: number, xml: string) => {
      res.writeHead(status, {
        "Content-Type": "text/xml;charset=UTF-8",
        Server: "AmazonEC2",
        "x-amzn-RequestId": requestId,
        "Content-Length": Buffer.byteLength(xml),
      });
      res.end(xml);
    };
    let action = "";
    try {
      const method = req.method ?? "GET";
      if (method !== "POST" && method !== "GET")
        throw controllerError("EMU_ERR_REQ_METHOD", method);
      const url = req.url ?? "/";
      const { accountId, region } = resolveRequestScope(context, req, body, "ec2");
      const q = url.indexOf("?");
      let params = QueryParams.parse(q < 0 ? "" : url.slice(q + 1));
      if (method === "POST") params = params.merge(QueryParams.parse(body.toString("utf8")));
      checkRequestBounds(params);
      action = params.str("Action") ?? "";
      if (action === "") throw controllerError("EMU_ERR_REQ_MISSING_ACTION");
      const handler = Object.hasOwn(EC2_ACTIONS, action) ? EC2_ACTIONS[action] : undefined;
      if (handler === undefined) throw controllerError("EMU_ERR_REQ_INVALID_ACTION", action);
      checkParameters(action, params);
      const dryRun = params.bool("DryRun") === true;
      const result = handler({ store, params, region, accountId, dryRun });
      if (dryRun && isReadOnlyAction(action)) throw controllerError("EMU_ERR_REQ_DRY_RUN");
      send(200, renderSuccess(action, requestId, result));
    } catch (err) {
      if (err instanceof ControllerError) {
        send(err.status, renderError(err.awsCode, err.message, requestId));
        return;
      }
      opts.logger?.error("ec2 internal error", {
        requestId,
        action,
        err: String((err as Error)?.stack ?? err),
      });
      const e = controllerError("EMU_ERR_INTERNAL");
      send(e.status, renderError(e.awsCode, e.message, requestId));
    }
  };
  return Object.assign(handle, { context });
}
