/**
 * POST /v1/captures bodies (controller/capture/capture-service.ts sanitizeCaptureSpec): each
 * refusal names its field (EMU_ERR_API_CAPTURE_INVALID); a valid body keeps what was given.
 */
import { describe, expect, it } from "vitest";
import { sanitizeCaptureSpec } from "../../../../controller/capture/capture-service.js";
import { HubError } from "../../../../controller/hub/hub-errors.js";

function refusal(body: unknown): string {
  try {
    sanitizeCaptureSpec(body);
  } catch (err) {
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe("EMU_ERR_API_CAPTURE_INVALID");
    expect((err as HubError).status).toBe(400);
    return (err as HubError).message;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe("sanitizeCaptureSpec", () => {
  it("keeps a valid body", () => {
    expect(
      sanitizeCaptureSpec({
        instance: "i-0123456789abcdef0",
        filter: "icmp",
        underlay: true,
        snaplen: 128,
        maxPackets: 10,
        durationSeconds: 5,
      }),
    ).toEqual({
      instance: "i-0123456789abcdef0",
      filter: "icmp",
      underlay: true,
      snaplen: 128,
      maxPackets: 10,
      durationSeconds: 5,
    });
    expect(sanitizeCaptureSpec({ external: "internet" })).toEqual({ external: "internet" });
  });

  it("names the first problem", () => {
    expect(refusal(null)).toBe("Invalid capture: the body must be a JSON object");
    expect(refusal([])).toBe("Invalid capture: the body must be a JSON object");
    expect(refusal({})).toBe("Invalid capture: give exactly one of instance, eni, external, agent");
    expect(refusal({ eni: "eni-1", agent: "a" })).toBe(
      "Invalid capture: give exactly one of instance, eni, external, agent",
    );
    expect(refusal({ eni: "" })).toBe("Invalid capture: eni must be a non-empty string");
    expect(refusal({ eni: "eni-1", count: 3 })).toBe(
      "Invalid capture: unknown field 'count' (fields: instance, eni, external, agent, filter, underlay, snaplen, maxPackets, durationSeconds)",
    );
    expect(refusal({ eni: "eni-1", filter: 1 })).toBe("Invalid capture: filter must be a string");
    expect(refusal({ eni: "eni-1", underlay: "yes" })).toBe(
      "Invalid capture: underlay must be true or false",
    );
    expect(refusal({ eni: "eni-1", maxPackets: 1.5 })).toBe(
      "Invalid capture: maxPackets must be an integer from 1 to 9007199254740991, got 1.5",
    );
    expect(refusal({ eni: "eni-1", durationSeconds: 86401 })).toBe(
      "Invalid capture: durationSeconds must be an integer from 1 to 86400, got 86401",
    );
  });
});
