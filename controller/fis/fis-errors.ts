/**
 * FIS's errors as the REST-JSON protocol answers them: the status, `x-amzn-ErrorType` and a
 * `{"message": "..."}` body (FIS API reference, "Common errors" and each action's Errors).
 */
export type FisErrorCode =
  | "ValidationException"
  | "ResourceNotFoundException"
  | "ConflictException"
  | "ServiceQuotaExceededException"
  | "InternalServerException"
  | "UnrecognizedClientException";

const STATUS: Readonly<Record<FisErrorCode, number>> = {
  ValidationException: 400,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  InternalServerException: 500,
  UnrecognizedClientException: 403,
};

export class FisError extends Error {
  readonly status: number;
  constructor(
    readonly code: FisErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "FisError";
    this.status = STATUS[code];
  }
}
