/**
 * STS on the controller's endpoint (docs/ec2-api.md "STS"), picked by controller/services.ts
 * (signature scope `sts`, or `Version=2011-06-15`). AWS's awsQuery protocol: form body in,
 * `<ActionResponse><ActionResult>` out (query-xml.ts).
 *
 * - GetCallerIdentity: Account, Arn, UserId of the signing key (identities.ts).
 * - AssumeRole: any well-formed role ARN is assumable (there is no IAM here); the credentials it
 *   issues act in the role's account, as the assumed role.
 * - GetSessionToken: temporary credentials of the caller's own identity.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { ControllerError, controllerError } from "../errors.js";
import { newRequestId } from "../ids.js";
import { QueryParams } from "../ec2/query.js";
import type { XmlTree } from "../ec2/xml.js";
import type { AwsServiceContext, AwsServiceDefinition, AwsServiceHandler } from "../services.js";
import { resolveRequestScope, type RequestScope } from "../request-scope.js";
import { newKeyId, type StsSession } from "./identities.js";
import { renderQueryError, renderQuerySuccess } from "./query-xml.js";

export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
export const STS_VERSION = "2011-06-15";

interface StsCall {
  readonly ctx: AwsServiceContext;
  readonly params: QueryParams;
  readonly scope: RequestScope;
  readonly now: number;
}

/** `1 validation error detected: Value <v> at '<field>' failed to satisfy constraint: <c>` */
function validation(value: string | undefined, field: string, constraint: string) {
  const v = value === undefined ? "null" : `'${value}'`;
  return controllerError(
    "EMU_ERR_STS_VALIDATION",
    `1 validation error detected: Value ${v} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

function required(p: QueryParams, name: string, field: string): string {
  const v = p.str(name);
  if (v === undefined) throw validation(undefined, field, "Member must not be null");
  return v;
}

function duration(p: QueryParams, min: number, max: number, dflt: number): number {
  const raw = p.str("DurationSeconds");
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw)) throw validation(raw, "durationSeconds", "Member must be a number");
  const n = Number(raw);
  if (n < min)
    throw validation(
      raw,
      "durationSeconds",
      `Member must have value greater than or equal to ${min}`,
    );
  if (n > max)
    throw validation(raw, "durationSeconds", `Member must have value less than or equal to ${max}`);
  return n;
}

const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** 40 characters, as AWS's secret access keys. */
function newSecret(): string {
  return Array.from(randomBytes(40), (b) => SECRET_ALPHABET[b % 64]).join("");
}

function credentialsXml(s: StsSession): XmlTree {
  return {
    AccessKeyId: s.accessKeyId,
    SecretAccessKey: s.secretAccessKey,
    SessionToken: s.sessionToken,
    Expiration: s.expiration,
  };
}

/** Role ARN `arn:aws:iam::<account>:role/<path/>name` -> account and role name. */
function parseRoleArn(arn: string): { accountId: string; roleName: string } {
  if (arn.length < 20 || arn.length > 2048)
    throw validation(
      arn,
      "roleArn",
      arn.length < 20
        ? "Member must have length greater than or equal to 20"
        : "Member must have length less than or equal to 2048",
    );
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
  if (m?.[1] === undefined || m[2] === undefined)
    throw controllerError("EMU_ERR_STS_VALIDATION", `${arn} is invalid`);
  return { accountId: m[1], roleName: m[2] };
}

const getCallerIdentity = (c: StsCall): XmlTree => {
  const id = c.ctx.identities.resolve(c.scope.accessKeyId);
  return { Arn: id.arn, UserId: id.userId, Account: id.accountId };
};

const assumeRole = (c: StsCall): XmlTree => {
  const p = c.params;
  const roleArn = required(p, "RoleArn", "roleArn");
  const sessionName = required(p, "RoleSessionName", "roleSessionName");
  if (sessionName.length < 2 || sessionName.length > 64)
    throw validation(sessionName, "roleSessionName", "Member must have length between 2 and 64");
  if (!/^[\w+=,.@-]*$/.test(sessionName))
    throw validation(
      sessionName,
      "roleSessionName",
      "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
  const { accountId, roleName } = parseRoleArn(roleArn);
  const seconds = duration(p, 900, 43_200, 3600);
  const roleId = c.ctx.identities.roleId(roleArn);
  const session: StsSession = {
    accessKeyId: newKeyId("ASIA"),
    secretAccessKey: newSecret(),
    sessionToken: randomBytes(96).toString("base64"),
    expiration: new Date(c.now + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    userId: `${roleId}:${sessionName}`,
  };
  c.ctx.identities.addSession(session);
  const sourceIdentity = p.str("SourceIdentity");
  return {
    Credentials: credentialsXml(session),
    AssumedRoleUser: { AssumedRoleId: session.userId, Arn: session.arn },
    PackedPolicySize: p.str("Policy") === undefined && !p.has("Tags") ? undefined : 6,
    SourceIdentity: sourceIdentity,
  };
};

const getSessionToken = (c: StsCall): XmlTree => {
  const akid = c.scope.accessKeyId;
  if (akid !== undefined && c.ctx.identities.session(akid) !== undefined)
    throw controllerError(
      "EMU_ERR_STS_ACCESS_DENIED",
      "Cannot call GetSessionToken with session credentials",
    );
  const seconds = duration(c.params, 900, 129_600, 43_200);
  const id = c.ctx.identities.resolve(akid);
  const session: StsSession = {
    accessKeyId: newKeyId("ASIA"),
    secretAccessKey: newSecret(),
    sessionToken: randomBytes(96).toString("base64"),
    expiration: new Date(c.now + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    accountId: id.accountId,
    arn: id.arn,
    userId: id.userId,
  };
  c.ctx.identities.addSession(session);
  return { Credentials: credentialsXml(session) };
};

/** Action -> handler: every STS action vpcemu answers (docs/ec2-api.md "STS"). */
export const STS_ACTIONS: Readonly<Record<string, (c: StsCall) => XmlTree>> = {
  GetCallerIdentity: getCallerIdentity,
  AssumeRole: assumeRole,
  GetSessionToken: getSessionToken,
};

/** Builds the STS handler over the shared service context. */
export function createStsHandler(ctx: AwsServiceContext): AwsServiceHandler {
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const requestId = newRequestId();
    const send = (status: number, xml: string) => {
      res.writeHead(status, {
        "Content-Type": "text/xml",
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
      const q = url.indexOf("?");
      let params = QueryParams.parse(q < 0 ? "" : url.slice(q + 1));
      if (method === "POST") params = params.merge(QueryParams.parse(body.toString("utf8")));
      const scope = resolveRequestScope(ctx, req, body, "sts");
      action = params.str("Action") ?? "";
      if (action === "") throw controllerError("EMU_ERR_REQ_MISSING_ACTION");
      const handler = Object.hasOwn(STS_ACTIONS, action) ? STS_ACTIONS[action] : undefined;
      if (handler === undefined) throw controllerError("EMU_ERR_REQ_INVALID_ACTION", action);
      const result = handler({ ctx, params, scope, now: Date.now() });
      send(200, renderQuerySuccess(action, STS_XMLNS, requestId, result));
    } catch (err) {
      if (err instanceof ControllerError) {
        send(
          err.status,
          renderQueryError(STS_XMLNS, err.status, err.awsCode, err.message, requestId),
        );
        return;
      }
      ctx.log(
        `vpcemu sts: internal error ${JSON.stringify({ requestId, action, err: String((err as Error)?.stack ?? err) })}`,
      );
      const e = controllerError("EMU_ERR_INTERNAL");
      send(e.status, renderQueryError(STS_XMLNS, e.status, e.awsCode, e.message, requestId));
    }
  };
}

export const STS_SERVICE: AwsServiceDefinition = {
  name: "sts",
  versions: [STS_VERSION],
  create: createStsHandler,
};
