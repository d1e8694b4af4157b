#!/usr/bin/env node
// The `vpcemu` command. Runs the TypeScript sources through tsx's loader so a fresh
// checkout needs no build step; `npm run build` output (dist/) is used when present.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "cli", "main.js");
if (existsSync(built) && !process.env.VPCEMU_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "cli", "main.ts")).href);
}
