import { describe, expect, it } from "vitest";
import { ERRORS, controllerError, invalidValue } from "../../../controller/errors.js";

describe("controller error catalogue (STYLE §4.12)", () => {
  it("has keys equal to codes, and unique codes", () => {
    const entries = Object.entries(ERRORS);
    for (const [key, def] of entries) expect(def.code).toBe(key);
    expect(new Set(entries.map(([, d]) => d.code)).size).toBe(entries.length);
  });

  it("names every code EMU_ERR_<AREA>_<WHAT> with a 4xx/5xx status and an AWS code", () => {
    for (const def of Object.values(ERRORS)) {
      expect(def.code).toMatch(/^EMU_ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(def.status).toBeGreaterThanOrEqual(400);
      expect(def.status).toBeLessThan(600);
      expect(def.awsCode).toMatch(/^[A-Za-z.]+$/);
    }
  });

  it("fills {n} placeholders from arguments (ERR-1 text)", () => {
    const e = controllerError("EMU_ERR_RULE_DUPLICATE", "0.0.0.0/0", "TCP", 80, 80);
    expect(e.message).toBe(
      'the specified rule "peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW" already exists',
    );
    expect(e.awsCode).toBe("InvalidPermission.Duplicate");
    expect(e.status).toBe(400);
    expect(e.code).toBe("EMU_ERR_RULE_DUPLICATE");
  });

  it("formats ERR-24 as `Invalid value '<v>' for <param>.`", () => {
    expect(invalidValue(0, "RuleNumber").message).toBe("Invalid value '0' for RuleNumber.");
  });

  it("answers DryRunOperation with 412 (ERR-39)", () => {
    expect(ERRORS.EMU_ERR_REQ_DRY_RUN).toMatchObject({ awsCode: "DryRunOperation", status: 412 });
  });
});
