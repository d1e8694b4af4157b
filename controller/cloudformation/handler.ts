/**
 * CloudFormation on the controller's endpoint (AWS-BEHAVIOUR CFN-1, CFN-2): registered in
 * controller/services.ts as CLOUDFORMATION_SERVICE, so a request signed for `cloudformation`
 * (or an unsigned Query request with `Version=2010-05-15`) lands here. Answers AWS's Query XML
 * (`Server`-less, `x-amzn-RequestId`), errors in `<ErrorResponse>` with AWS's codes; an
 * unexpected failure is InternalFailure (500), logged with the request id. Stacks act in the
 * account and region of the request (controller/request-scope.ts), through EC2 in process.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ControllerError } from "../errors.js";
import { QueryParams } from "../ec2/query.js";
import { newRequestId } from "../ids.js";
import { resolveRequestScope } from "../request-scope.js";
import type { AwsServiceContext, AwsServiceDefinition, AwsServiceHandler } from "../services.js";
import { CFN_ACTIONS } from "./actions.js";
import { inProcessEc2 } from "./ec2-invoke.js";
import { CloudFormationEngine } from "./engine.js";
import { CfnError, cfnError } from "./errors.js";
import { StackStore } from "./stack-store.js";
import { renderCfnError, renderCfnSuccess } from "./xml.js";

/** The Query API version CloudFormation requests carry. */
export const CFN_API_VERSION = "2010-05-15";

export interface CloudFormationHandlerOptions {
  /** Runs stack work after the answer; default setImmediate. */
  readonly schedule?: (work: () => void) => void;
}

/** Builds the service's handler (and its engine and records) for one controller. */
export function createCloudFormationHandler(
  ctx: AwsServiceContext,
  opts: CloudFormationHandlerOptions = {},
): AwsServiceHandler & { readonly engine: CloudFormationEngine } {
  const engine = new CloudFormationEngine({
    stacks: new StackStore(ctx.store.sideDatabase()),
    ec2For: (caller) => inProcessEc2(ctx.store, caller),
    schedule:
      opts.schedule ??
      ((work) => {
        setImmediate(() => {
          try {
            work();
          } catch (err) {
            ctx.log(`vpcemu cloudformation: ${String((err as Error)?.stack ?? err)}`);
          }
        });
      }),
    log: (line) => ctx.log(`vpcemu ${line}`),
  });
  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
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
      const url = req.url ?? "/";
      const scope = resolveRequestScope(ctx, req, body, "cloudformation");
      const q = url.indexOf("?");
      let params = QueryParams.parse(q < 0 ? "" : url.slice(q + 1));
      if (method === "POST") params = params.merge(QueryParams.parse(body.toString("utf8")));
      action = params.str("Action") ?? "";
      const fn = Object.hasOwn(CFN_ACTIONS, action) ? CFN_ACTIONS[action] : undefined;
      if (fn === undefined) throw cfnError("EMU_ERR_CFN_INVALID_ACTION", action);
      const result = fn({
        engine,
        params,
        caller: { accountId: scope.accountId, region: scope.region },
      });
      send(200, renderCfnSuccess(action, requestId, result));
    } catch (err) {
      if (err instanceof CfnError || err instanceof ControllerError) {
        send(
          err.status,
          renderCfnError(
            err.awsCode,
            err.message,
            requestId,
            err.status >= 500 ? "Receiver" : "Sender",
          ),
        );
        return;
      }
      ctx.log(
        `vpcemu cloudformation: internal error ${requestId} ${action}: ${String((err as Error)?.stack ?? err)}`,
      );
      const e = cfnError("EMU_ERR_CFN_INTERNAL");
      send(e.status, renderCfnError(e.awsCode, e.message, requestId, "Receiver"));
    }
  };
  return Object.assign(handle, { engine });
}

/** The registry entry (controller/services.ts). */
export const CLOUDFORMATION_SERVICE: AwsServiceDefinition = {
  name: "cloudformation",
  versions: [CFN_API_VERSION],
  create: (ctx) => createCloudFormationHandler(ctx),
};
