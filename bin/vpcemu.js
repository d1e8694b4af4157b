#!/usr/bin/env node
// The `vpcemu` command. Which code it runs (README "Development"):
//   - an installed package (no TypeScript sources beside it): the compiled dist/;
//   - a development checkout (cli/main.ts beside it): the TypeScript sources through tsx's
//     loader, so a stale or partial dist/ can never break it. VPCEMU_DIST=1 runs dist/ instead,
//     and only when it is complete and current (dist/BUILD.json matches the sources).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "cli", "main.js");
const sources = join(root, "cli", "main.ts");

function die(message) {
  process.stderr.write(`vpcemu: ${message}\n`);
  process.exit(2);
}

if (!existsSync(sources)) {
  if (!existsSync(built)) die(`${built} is missing: the package is incomplete (reinstall it)`);
  await import(pathToFileURL(built).href);
} else if (process.env.VPCEMU_DIST === "1") {
  const stampFile = join(root, "dist", "BUILD.json");
  if (!existsSync(stampFile))
    die("VPCEMU_DIST=1 but dist/ is not a complete build: run `npm run build`");
  const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  const { sourceDigest } = await import("./source-digest.js");
  if (stamp.sourceDigest !== sourceDigest(root)) {
    die(
      "VPCEMU_DIST=1 but dist/ is stale (the sources changed since it was built): run `npm run build`",
    );
  }
  await import(pathToFileURL(built).href);
} else {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    die(
      "this is a development checkout and tsx is not installed: run `npm ci` (or `npm run build` and set VPCEMU_DIST=1)",
    );
  }
  register();
  await import(pathToFileURL(sources).href);
}
