/**
 * How one AWS API call is named in the controller's request counter
 * (vpcemu_controller_api_requests_total{service, action, code}, docs/observability.md): its
 * action, and the AWS error code its response carried ("OK" for a success). Label values come
 * from the user's request, so they are bounded here: an action no registered handler knows is
 * "unknown", an error code that is not a plain AWS code is "unknown". Pure: no I/O.
 */
import { EC2_ACTIONS } from "../ec2/actions.js";
import { CFN_ACTIONS } from "../cloudformation/actions.js";
import { STS_ACTIONS } from "../sts/handler.js";

/** The `code` label of a call answered with success (2xx). */
export const API_CODE_OK = "OK";
/** An action or error code that is not one vpcemu knows. */
export const API_UNKNOWN = "unknown";

const QUERY_ACTIONS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  ec2: EC2_ACTIONS,
  sts: STS_ACTIONS,
  cloudformation: CFN_ACTIONS,
};

/**
 * FIS (REST-JSON): method and path shape (controller/fis/handler.ts) -> the operation name the
 * AWS SDK uses.
 */
const FIS_OPERATIONS: Readonly<Record<string, string>> = {
  "POST /experimentTemplates": "CreateExperimentTemplate",
  "GET /experimentTemplates": "ListExperimentTemplates",
  "GET /experimentTemplates/*": "GetExperimentTemplate",
  "PATCH /experimentTemplates/*": "UpdateExperimentTemplate",
  "DELETE /experimentTemplates/*": "DeleteExperimentTemplate",
  "POST /experiments": "StartExperiment",
  "GET /experiments": "ListExperiments",
  "GET /experiments/*": "GetExperiment",
  "GET /experiments/*/resolvedTargets": "ListExperimentResolvedTargets",
  "DELETE /experiments/*": "StopExperiment",
  "GET /actions": "ListActions",
  "GET /actions/*": "GetAction",
  "GET /targetResourceTypes": "ListTargetResourceTypes",
  "GET /targetResourceTypes/*": "GetTargetResourceType",
  "POST /tags/*": "TagResource",
  "DELETE /tags/*": "UntagResource",
  "GET /tags/*": "ListTagsForResource",
};

/**
 * The action label of a request to `service` ("ec2", "sts", "cloudformation", "fis").
 * `params` are the Query parameters (URL and form body) for the Query services; FIS is named by
 * `method` and `path`.
 */
export function apiActionOf(
  service: string,
  method: string,
  path: string,
  params: URLSearchParams,
): string {
  if (service === "fis") {
    const segs = path.split("/").filter((s) => s !== "");
    const shape =
      segs.length === 3 && segs[0] === "experiments" && segs[2] === "resolvedTargets"
        ? "/experiments/*/resolvedTargets"
        : `/${segs[0] ?? ""}${segs.length === 2 ? "/*" : segs.length > 2 ? "/?" : ""}`;
    return FIS_OPERATIONS[`${method} ${shape}`] ?? API_UNKNOWN;
  }
  const table = QUERY_ACTIONS[service];
  const action = params.get("Action");
  if (table === undefined || action === null || !Object.hasOwn(table, action)) return API_UNKNOWN;
  return action;
}

const AWS_CODE = /^[A-Za-z][A-Za-z0-9.]{0,63}$/;
const XML_CODE = /<Code>([^<]{1,100})<\/Code>/;

/**
 * The code label of a finished call: "OK" for a 2xx status; else the AWS error code, read from
 * the `x-amzn-ErrorType` header (REST-JSON: FIS) or the `<Code>` of the XML error body (Query:
 * EC2, STS, CloudFormation); "unknown" when neither names a plain AWS code.
 */
export function apiCodeOf(status: number, errorType: string | undefined, body: string): string {
  if (status >= 200 && status < 300) return API_CODE_OK;
  // Why split: REST-JSON allows "Code:namespace" in x-amzn-ErrorType.
  const fromHeader = errorType?.split(":")[0];
  const code =
    fromHeader !== undefined && fromHeader !== "" ? fromHeader : XML_CODE.exec(body)?.[1];
  return code !== undefined && AWS_CODE.test(code) ? code : API_UNKNOWN;
}
