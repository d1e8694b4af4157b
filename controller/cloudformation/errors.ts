/**
 * CloudFormation's error catalogue (STYLE.md §4.12, kept beside the service it speaks for):
 * each `EMU_ERR_CFN_*` code with the AWS error code the CloudFormation Query API answers
 * (`<Code>` in `<ErrorResponse>`), the HTTP status and the message template (`{0}`, `{1}` ...).
 * Texts follow AWS-BEHAVIOUR.md CFN-*; test/unit/controller/cloudformation/errors.test.ts
 * checks codes are unique and keys equal codes.
 */

export interface CfnErrorDef {
  readonly code: string;
  /** AWS error code, verbatim (`ValidationError`, `ChangeSetNotFound`, ...). */
  readonly awsCode: string;
  readonly status: number;
  readonly message: string;
}

function def(code: string, awsCode: string, status: number, message: string): CfnErrorDef {
  return { code, awsCode, status, message };
}

export const CFN_ERRORS = {
  // --- protocol
  EMU_ERR_CFN_INVALID_ACTION: def(
    "EMU_ERR_CFN_INVALID_ACTION",
    "InvalidAction",
    400,
    "The action {0} is not valid for this web service.",
  ),
  EMU_ERR_CFN_MISSING_PARAMETER: def(
    "EMU_ERR_CFN_MISSING_PARAMETER",
    "ValidationError",
    400,
    "1 validation error detected: Value null at '{0}' failed to satisfy constraint: Member must not be null",
  ),
  EMU_ERR_CFN_VALIDATION: def("EMU_ERR_CFN_VALIDATION", "ValidationError", 400, "{0}"),
  EMU_ERR_CFN_INTERNAL: def(
    "EMU_ERR_CFN_INTERNAL",
    "InternalFailure",
    500,
    "An internal error has occurred",
  ),
  // --- templates (CFN-3..CFN-9)
  EMU_ERR_CFN_TEMPLATE_FORMAT: def(
    "EMU_ERR_CFN_TEMPLATE_FORMAT",
    "ValidationError",
    400,
    "Template format error: {0}",
  ),
  EMU_ERR_CFN_TEMPLATE: def("EMU_ERR_CFN_TEMPLATE", "ValidationError", 400, "Template error: {0}"),
  EMU_ERR_CFN_CIRCULAR: def(
    "EMU_ERR_CFN_CIRCULAR",
    "ValidationError",
    400,
    "Circular dependency between resources: [{0}]",
  ),
  // --- parameters (CFN-10)
  EMU_ERR_CFN_PARAMETER_MISSING: def(
    "EMU_ERR_CFN_PARAMETER_MISSING",
    "ValidationError",
    400,
    "Parameters: [{0}] must have values",
  ),
  EMU_ERR_CFN_PARAMETER_UNKNOWN: def(
    "EMU_ERR_CFN_PARAMETER_UNKNOWN",
    "ValidationError",
    400,
    "Parameters: [{0}] do not exist in the template",
  ),
  EMU_ERR_CFN_PARAMETER_NOT_ALLOWED: def(
    "EMU_ERR_CFN_PARAMETER_NOT_ALLOWED",
    "ValidationError",
    400,
    "Parameter '{0}' must be one of AllowedValues",
  ),
  EMU_ERR_CFN_PARAMETER_VALUE: def(
    "EMU_ERR_CFN_PARAMETER_VALUE",
    "ValidationError",
    400,
    "Parameter '{0}' {1}",
  ),
  // --- stacks (CFN-11..CFN-15)
  EMU_ERR_CFN_STACK_NOT_FOUND: def(
    "EMU_ERR_CFN_STACK_NOT_FOUND",
    "ValidationError",
    400,
    "Stack with id {0} does not exist",
  ),
  EMU_ERR_CFN_STACK_EXISTS: def(
    "EMU_ERR_CFN_STACK_EXISTS",
    "AlreadyExistsException",
    400,
    "Stack [{0}] already exists",
  ),
  EMU_ERR_CFN_STACK_NAME: def(
    "EMU_ERR_CFN_STACK_NAME",
    "ValidationError",
    400,
    "1 validation error detected: Value '{0}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*",
  ),
  EMU_ERR_CFN_STACK_STATE: def(
    "EMU_ERR_CFN_STACK_STATE",
    "ValidationError",
    400,
    "Stack:{0} is in {1} state and can not be updated.",
  ),
  EMU_ERR_CFN_STACK_BUSY: def(
    "EMU_ERR_CFN_STACK_BUSY",
    "ValidationError",
    400,
    "Stack {0} is in {1} state and can not be deleted.",
  ),
  EMU_ERR_CFN_NO_UPDATES: def(
    "EMU_ERR_CFN_NO_UPDATES",
    "ValidationError",
    400,
    "No updates are to be performed.",
  ),
  EMU_ERR_CFN_RESOURCE_NOT_FOUND: def(
    "EMU_ERR_CFN_RESOURCE_NOT_FOUND",
    "ValidationError",
    400,
    "Resource {0} does not exist for stack {1}",
  ),
  // --- exports (CFN-16)
  EMU_ERR_CFN_EXPORT_NOT_FOUND: def(
    "EMU_ERR_CFN_EXPORT_NOT_FOUND",
    "ValidationError",
    400,
    "No export named {0} found.",
  ),
  EMU_ERR_CFN_EXPORT_DUPLICATE: def(
    "EMU_ERR_CFN_EXPORT_DUPLICATE",
    "ValidationError",
    400,
    "Export with name {0} is already exported by stack {1}",
  ),
  EMU_ERR_CFN_EXPORT_IN_USE: def(
    "EMU_ERR_CFN_EXPORT_IN_USE",
    "ValidationError",
    400,
    "Export {0} cannot be deleted as it is in use by {1}",
  ),
  // --- change sets (CFN-17..CFN-19)
  EMU_ERR_CFN_CHANGE_SET_NOT_FOUND: def(
    "EMU_ERR_CFN_CHANGE_SET_NOT_FOUND",
    "ChangeSetNotFound",
    404,
    "ChangeSet [{0}] does not exist",
  ),
  EMU_ERR_CFN_CHANGE_SET_EXISTS: def(
    "EMU_ERR_CFN_CHANGE_SET_EXISTS",
    "AlreadyExistsException",
    400,
    "ChangeSet [{0}] already exists",
  ),
  EMU_ERR_CFN_CHANGE_SET_STATUS: def(
    "EMU_ERR_CFN_CHANGE_SET_STATUS",
    "InvalidChangeSetStatus",
    400,
    "ChangeSet [{0}] cannot be executed in its current status of [{1}]",
  ),
  EMU_ERR_CFN_CHANGE_SET_CREATE_EXISTING: def(
    "EMU_ERR_CFN_CHANGE_SET_CREATE_EXISTING",
    "ValidationError",
    400,
    "Stack [{0}] already exists and cannot be created again with the changeSet [{1}].",
  ),
  EMU_ERR_CFN_CHANGE_SET_NO_STACK: def(
    "EMU_ERR_CFN_CHANGE_SET_NO_STACK",
    "ValidationError",
    400,
    "Stack [{0}] does not exist",
  ),
} as const satisfies Record<string, CfnErrorDef>;

export type CfnErrorCode = keyof typeof CFN_ERRORS;

/** A coded CloudFormation failure: the Query API answers `awsCode`, `status`, `message`. */
export class CfnError extends Error {
  readonly code: CfnErrorCode;
  readonly awsCode: string;
  readonly status: number;

  constructor(d: CfnErrorDef, message: string) {
    super(message);
    this.name = "CfnError";
    this.code = d.code as CfnErrorCode;
    this.awsCode = d.awsCode;
    this.status = d.status;
  }
}

/** Builds the error for catalogue entry `code`, filling `{n}` from `args`. */
export function cfnError(code: CfnErrorCode, ...args: ReadonlyArray<string | number>): CfnError {
  const d = CFN_ERRORS[code];
  const message = d.message.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)] ?? ""));
  return new CfnError(d, message);
}

/** `Template format error: ...` (CFN-3..CFN-6). */
export function templateFormatError(what: string): CfnError {
  return cfnError("EMU_ERR_CFN_TEMPLATE_FORMAT", what);
}

/** `Template error: ...` (intrinsic misuse, CFN-7). */
export function templateError(what: string): CfnError {
  return cfnError("EMU_ERR_CFN_TEMPLATE", what);
}
