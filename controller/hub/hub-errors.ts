/**
 * Error codes of the agent hub and the JSON API (`{ code, message }` bodies, hub Error frames).
 * Why here and not in controller/errors.ts: that catalogue belongs to the EC2 API's owner and
 * maps to AWS codes; these have no AWS counterpart. Same shape (ErrorDef), same EMU_ERR_ naming;
 * test/unit/controller/api/routes.test.ts checks keys equal codes and codes are unique.
 */
export interface JsonErrorDef {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

function def(code: string, status: number, message: string): JsonErrorDef {
  return { code, status, message };
}

export const HUB_ERRORS = {
  EMU_ERR_HUB_BAD_FRAME: def("EMU_ERR_HUB_BAD_FRAME", 400, "Malformed frame: {0}"),
  EMU_ERR_HUB_HELLO_REQUIRED: def(
    "EMU_ERR_HUB_HELLO_REQUIRED",
    400,
    "The first frame must be Hello, got {0}.",
  ),
  EMU_ERR_HUB_BAD_HELLO: def("EMU_ERR_HUB_BAD_HELLO", 400, "Invalid Hello: {0}"),
  EMU_ERR_HUB_JOIN_TOKEN: def(
    "EMU_ERR_HUB_JOIN_TOKEN",
    401,
    "Join token missing or wrong for agent '{0}'.",
  ),
  EMU_ERR_HUB_REPLACED: def(
    "EMU_ERR_HUB_REPLACED",
    409,
    "Agent '{0}' connected again; this connection is replaced.",
  ),
  EMU_ERR_HUB_AGENT_KEY: def(
    "EMU_ERR_HUB_AGENT_KEY",
    403,
    "Agent '{0}': {1} (docs/agent.md 'Agent identity').",
  ),
  EMU_ERR_HUB_TOO_MANY_AGENTS: def(
    "EMU_ERR_HUB_TOO_MANY_AGENTS",
    429,
    "The controller knows {0} agents, its limit; agent '{1}' is refused.",
  ),
  EMU_ERR_HUB_REPORT_TOO_LARGE: def(
    "EMU_ERR_HUB_REPORT_TOO_LARGE",
    413,
    "Report refused: {0} (docs/agent.md 'Limits').",
  ),
  EMU_ERR_HUB_NOT_ENFORCED: def(
    "EMU_ERR_HUB_NOT_ENFORCED",
    504,
    "Revision {0} not enforced within {1} ms by: {2}",
  ),
  EMU_ERR_API_NOT_FOUND: def("EMU_ERR_API_NOT_FOUND", 404, "No route {0} {1}."),
  EMU_ERR_API_METHOD: def("EMU_ERR_API_METHOD", 405, "Method {0} is not allowed on {1}."),
  EMU_ERR_API_BAD_QUERY: def("EMU_ERR_API_BAD_QUERY", 400, "{0}"),
  EMU_ERR_API_UNKNOWN_TARGET: def("EMU_ERR_API_UNKNOWN_TARGET", 404, "No agent hosts {0} '{1}'."),
  EMU_ERR_API_NO_REPORT: def(
    "EMU_ERR_API_NO_REPORT",
    404,
    "No conntrack report for {0} '{1}' yet.",
  ),
  EMU_ERR_API_BAD_JSON: def("EMU_ERR_API_BAD_JSON", 400, "The request body is not valid JSON: {0}"),
  EMU_ERR_API_BODY_TOO_LARGE: def(
    "EMU_ERR_API_BODY_TOO_LARGE",
    413,
    "The request body exceeds {0} bytes.",
  ),
  EMU_ERR_FAULT_INVALID: def("EMU_ERR_FAULT_INVALID", 400, "Invalid fault: {0}"),
  EMU_ERR_FAULT_NOT_FOUND: def("EMU_ERR_FAULT_NOT_FOUND", 404, "No fault '{0}'."),
  EMU_ERR_API_ALARM_INVALID: def("EMU_ERR_API_ALARM_INVALID", 400, "Invalid alarm: {0}"),
  EMU_ERR_API_ALARM_NOT_FOUND: def("EMU_ERR_API_ALARM_NOT_FOUND", 404, "No alarm '{0}'."),
  EMU_ERR_API_FLOW_LOG_NOT_FOUND: def("EMU_ERR_API_FLOW_LOG_NOT_FOUND", 404, "No flow log '{0}'."),
  EMU_ERR_API_WHATIF_BAD_REQUEST: def(
    "EMU_ERR_API_WHATIF_BAD_REQUEST",
    400,
    "Invalid what-if request: {0}",
  ),
  EMU_ERR_API_WHATIF_REJECTED: def(
    "EMU_ERR_API_WHATIF_REJECTED",
    400,
    "The call would fail, nothing was judged: {0}: {1}",
  ),
  EMU_ERR_API_AUDIT_INVALID: def("EMU_ERR_API_AUDIT_INVALID", 400, "Invalid staged rule set: {0}"),
  EMU_ERR_API_AUDIT_UNKNOWN_TARGET: def("EMU_ERR_API_AUDIT_UNKNOWN_TARGET", 404, "No {0} '{1}'."),
  EMU_ERR_API_AUDIT_NOT_FOUND: def(
    "EMU_ERR_API_AUDIT_NOT_FOUND",
    404,
    "Nothing is staged on {0} '{1}'.",
  ),
  EMU_ERR_API_EXPLAIN_UNKNOWN_NODE: def("EMU_ERR_API_EXPLAIN_UNKNOWN_NODE", 404, "{0}"),
  EMU_ERR_API_EXPLAIN_AMBIGUOUS_NODE: def("EMU_ERR_API_EXPLAIN_AMBIGUOUS_NODE", 409, "{0}"),
  EMU_ERR_API_EXPLAIN_BAD_ADDRESS: def("EMU_ERR_API_EXPLAIN_BAD_ADDRESS", 400, "{0}"),
  EMU_ERR_API_EXPLAIN_BAD_FLOW: def("EMU_ERR_API_EXPLAIN_BAD_FLOW", 400, "{0}"),
  EMU_ERR_API_CAPTURE_INVALID: def("EMU_ERR_API_CAPTURE_INVALID", 400, "Invalid capture: {0}"),
  EMU_ERR_API_CAPTURE_TARGET: def(
    "EMU_ERR_API_CAPTURE_TARGET",
    404,
    "No connected agent hosts {0} '{1}'. Agents: {2}",
  ),
  EMU_ERR_API_CAPTURE_REFUSED: def(
    "EMU_ERR_API_CAPTURE_REFUSED",
    400,
    "Agent '{0}' refused the capture: {1}",
  ),
  EMU_ERR_API_CAPTURE_TIMEOUT: def(
    "EMU_ERR_API_CAPTURE_TIMEOUT",
    504,
    "Agent '{0}' did not answer the capture request within {1} ms.",
  ),
  EMU_ERR_API_CAPTURE_NOT_FOUND: def("EMU_ERR_API_CAPTURE_NOT_FOUND", 404, "No capture '{0}'."),
  EMU_ERR_API_TRACE_INVALID: def("EMU_ERR_API_TRACE_INVALID", 400, "Invalid trace: {0}"),
  EMU_ERR_API_TRACE_UNKNOWN_TARGET: def(
    "EMU_ERR_API_TRACE_UNKNOWN_TARGET",
    404,
    "No agent hosts {0} '{1}' (GET /v1/instances lists the instances and their ENIs).",
  ),
  EMU_ERR_API_TRACE_AGENT_DISCONNECTED: def(
    "EMU_ERR_API_TRACE_AGENT_DISCONNECTED",
    409,
    "Agent '{0}' hosting {1} is not connected; no trace was started.",
  ),
  EMU_ERR_API_TRACE_LIMIT: def(
    "EMU_ERR_API_TRACE_LIMIT",
    429,
    "{0} traces are running, the limit; delete one first (DELETE /v1/traces/{traceId}).",
  ),
  EMU_ERR_API_TRACE_NOT_FOUND: def("EMU_ERR_API_TRACE_NOT_FOUND", 404, "No trace '{0}'."),
  EMU_ERR_API_TRACE_REFUSED: def("EMU_ERR_API_TRACE_REFUSED", 409, "The trace did not start: {0}"),
  EMU_ERR_API_TRACE_TIMEOUT: def(
    "EMU_ERR_API_TRACE_TIMEOUT",
    504,
    "Agent(s) {0} did not start the trace within {1} ms; it was stopped.",
  ),
  EMU_ERR_API_INTERNAL: def("EMU_ERR_API_INTERNAL", 500, "Internal error (request {0})."),
} as const satisfies Record<string, JsonErrorDef>;

export type HubErrorCode = keyof typeof HUB_ERRORS;

/** A coded hub/JSON API failure; the JSON API answers `{ code, message }` with `status`. */
export class HubError extends Error {
  readonly code: HubErrorCode;
  readonly status: number;
  constructor(code: HubErrorCode, ...args: ReadonlyArray<string | number>) {
    const d = HUB_ERRORS[code];
    super(d.message.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)] ?? "")));
    this.name = "HubError";
    this.code = code;
    this.status = d.status;
  }
}
