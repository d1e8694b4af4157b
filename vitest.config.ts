import { defineConfig } from "vitest/config";

// Tiers (STYLE.md §6): unit, integration (in-process), integration/netns (root), e2e (Docker).
// `npm test` runs them all; a tier whose prerequisite is missing fails loudly, never skips.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The AWS SDK warns once per process that Node 20 support ends; in tests it is noise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
