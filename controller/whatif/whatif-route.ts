/**
 * `POST /v1/whatif` (docs/json-api.md): the JSON body in, the WhatIfAnswer out. A malformed
 * request is EMU_ERR_API_WHATIF_BAD_REQUEST (400); an EC2 call that would fail answers with the
 * status AWS would and EMU_ERR_API_WHATIF_REJECTED, the AWS error beside it in `awsError`.
 */
import { HubError } from "../hub/hub-errors.js";
import { WhatIf, WhatIfRequestError, parseWhatIfRequest } from "./whatif.js";

export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
}

export function whatIfRoute(whatif: WhatIf): (body: unknown) => Promise<JsonReply> {
  return async (body) => {
    try {
      const r = await whatif.evaluate(parseWhatIfRequest(body));
      if ("rejected" in r) {
        const e = new HubError("EMU_ERR_API_WHATIF_REJECTED", r.awsCode, r.message);
        return {
          status: r.status,
          body: {
            code: e.code,
            message: e.message,
            awsError: { code: r.awsCode, message: r.message },
          },
        };
      }
      return { status: 200, body: r };
    } catch (err) {
      if (err instanceof WhatIfRequestError)
        throw new HubError("EMU_ERR_API_WHATIF_BAD_REQUEST", err.message);
      throw err;
    }
  };
}
