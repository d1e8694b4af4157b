import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// STYLE.md §4.9: generated code is committed and CI fails on drift.
describe("proto/gen", () => {
  it("matches what proto/generate.sh makes from proto/vpcemu/v1/*.proto", () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcemu-proto-"));
    try {
      execFileSync("sh", ["proto/generate.sh", dir], { stdio: "pipe" });
      for (const f of ["vpcemu.js", "vpcemu.d.ts"]) {
        expect(
          readFileSync(join(dir, f), "utf8"),
          `proto/gen/${f} is stale: run npm run proto`,
        ).toBe(readFileSync(join("proto/gen", f), "utf8"));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
