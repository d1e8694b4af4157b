/**
 * Prerequisites of the e2e tier (STYLE.md §6): a Docker engine, the locally built image and
 * docker-compose. A missing one FAILS the suite with what to do; nothing skips.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { beforeAll, beforeEach } from "vitest";

export const E2E_IMAGE = process.env.VPCEMU_IMAGE ?? "vpcemu:local";

/** Throws an Error naming the first missing prerequisite. */
export function assertDockerPrerequisites(opts: { compose?: boolean } = {}): void {
  const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], {
    encoding: "utf8",
    timeout: 20_000,
  });
  if (info.error || info.status !== 0) {
    throw new Error(
      "e2e: no Docker engine answers (`docker info` failed: " +
        `${(info.error?.message ?? info.stderr).trim()}). Start one: bash scripts/ci/10-docker.sh`,
    );
  }
  const image = spawnSync("docker", ["image", "inspect", E2E_IMAGE], { timeout: 20_000 });
  if (image.status !== 0) {
    throw new Error(`e2e: image ${E2E_IMAGE} is missing (never pulled). Build it: npm run image`);
  }
  if (opts.compose) {
    const compose = spawnSync("docker-compose", ["version", "--short"], { timeout: 20_000 });
    if (compose.error || compose.status !== 0) {
      throw new Error(
        "e2e: docker-compose is missing. Install it: apt-get install docker-compose " +
          "(scripts/ci/10-docker.sh does)",
      );
    }
  }
  // TESTCONTAINERS_RYUK_DISABLED: Ryuk's image would have to be pulled from a registry.
  if (process.env.TESTCONTAINERS_RYUK_DISABLED !== "true") {
    process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
  }
}

/** `docker ...` synchronously; returns stdout, throws with stderr. */
export function docker(args: readonly string[], timeoutMs = 60_000): string {
  return execFileSync("docker", args, { encoding: "utf8", timeout: timeoutMs });
}

/**
 * beforeAll whose failure (a missing prerequisite, a stack that does not come up) FAILS every test
 * of the suite with that error, instead of vitest reporting them as skipped.
 */
export function setupOrFailEach(setup: () => Promise<void>, timeoutMs: number): void {
  let failure: unknown;
  beforeAll(async () => {
    try {
      await setup();
    } catch (err) {
      failure = err;
    }
  }, timeoutMs);
  beforeEach(() => {
    if (failure !== undefined) throw failure;
  });
}
