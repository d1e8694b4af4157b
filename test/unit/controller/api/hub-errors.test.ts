import { describe, expect, it } from "vitest";
import { HUB_ERRORS, HubError } from "../../../../controller/hub/hub-errors.js";

// STYLE.md §4.12: keys equal codes, codes are unique, all EMU_ERR_.
describe("hub and JSON API error catalogue", () => {
  it("has keys equal to codes, unique EMU_ERR_ codes", () => {
    const codes = Object.entries(HUB_ERRORS).map(([k, d]) => {
      expect(d.code).toBe(k);
      expect(k).toMatch(/^EMU_ERR_(HUB|API|FAULT)_[A-Z_]+$/);
      return d.code;
    });
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("fills message arguments and carries the status", () => {
    const e = new HubError("EMU_ERR_API_UNKNOWN_TARGET", "eni", "eni-1");
    expect(e.message).toBe("No agent hosts eni 'eni-1'.");
    expect(e.status).toBe(404);
  });
});
