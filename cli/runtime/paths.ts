/** Files of the package the local runtime starts: the `vpcemu` bin and the probe apps. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package root: the nearest folder above this module whose package.json names vpcemu.
 * This module runs from cli/runtime/ in a checkout and from dist/cli/runtime/ when built.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "vpcemu")
          return dir;
      } catch {
        // Why: an unreadable package.json is not ours; keep climbing.
      }
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`vpcemu: no package.json of vpcemu above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

const PACKAGE_ROOT = packageRoot();

/** The `vpcemu` bin (agents are started through it, as a user would). */
export const VPCEMU_BIN = join(PACKAGE_ROOT, "bin", "vpcemu.js");
/** Probe apps for the demo and tests (plain JavaScript, run by `node` in a namespace). */
export const PROBE_SCRIPT = join(PACKAGE_ROOT, "cli", "runtime", "probe.mjs");
/** The seed scenario. */
export const TWO_TIER_EXAMPLE = join(PACKAGE_ROOT, "examples", "two-tier.yaml");
