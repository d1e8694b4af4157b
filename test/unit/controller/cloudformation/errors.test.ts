/** CloudFormation's error catalogue (STYLE.md §4.12): keys equal codes, codes are unique. */
import { describe, expect, it } from "vitest";
import { CFN_ERRORS, cfnError } from "../../../../controller/cloudformation/errors.js";

describe("CFN_ERRORS", () => {
  it("keys equal their codes, each EMU_ERR_CFN_*", () => {
    for (const [key, def] of Object.entries(CFN_ERRORS)) {
      expect(def.code).toBe(key);
      expect(key).toMatch(/^EMU_ERR_CFN_[A-Z_]+$/);
    }
  });

  it("has unique codes", () => {
    const codes = Object.values(CFN_ERRORS).map((d) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("fills the message template", () => {
    const e = cfnError("EMU_ERR_CFN_STACK_NOT_FOUND", "web");
    expect([e.awsCode, e.status, e.message]).toEqual([
      "ValidationError",
      400,
      "Stack with id web does not exist",
    ]);
  });
});
