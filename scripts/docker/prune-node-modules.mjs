// Turns a copy of the development node_modules into the production set, offline: removes every
// package package-lock.json marks `dev: true` (what `npm ci --omit=dev` would not install) and
// native-module payloads the image cannot use (koffi builds for other platforms, better-sqlite3's
// SQLite sources and build intermediates). Runs inside the image's `deps` stage, where neither npm
// nor a registry is available.
//   node scripts/docker/prune-node-modules.mjs APP_DIR
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const appDir = process.argv[2] ?? ".";
const lock = JSON.parse(readFileSync(join(appDir, "package-lock.json"), "utf8"));
const packages = lock.packages ?? {};

let removed = 0;
for (const [path, meta] of Object.entries(packages)) {
  if (path === "" || !meta.dev) continue;
  const dir = join(appDir, path);
  if (existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    removed++;
  }
}

const platformDir = `${process.platform}_${process.arch}`;
const koffiBuilds = join(appDir, "node_modules/koffi/build/koffi");
if (existsSync(koffiBuilds)) {
  for (const entry of readdirSync(koffiBuilds)) {
    if (entry !== platformDir) rmSync(join(koffiBuilds, entry), { recursive: true, force: true });
  }
}
for (const junk of [
  "node_modules/better-sqlite3/deps",
  "node_modules/better-sqlite3/src",
  "node_modules/better-sqlite3/build/Release/obj.target",
  "node_modules/better-sqlite3/build/Release/obj",
  "node_modules/better-sqlite3/build/Release/test_extension.node",
  "node_modules/better-sqlite3/build/deps",
  "node_modules/koffi/src",
  "node_modules/koffi/vendor",
]) {
  rmSync(join(appDir, junk), { recursive: true, force: true });
}

function sizeOf(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += sizeOf(p);
    else if (entry.isFile()) total += statSync(p).size;
  }
  return total;
}
const mb = (sizeOf(join(appDir, "node_modules")) / 1e6).toFixed(0);
console.log(`prune-node-modules: removed ${removed} dev packages; node_modules is now ${mb} MB`);
