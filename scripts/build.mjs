// `npm run build` (and `prepack`): compiles the sources to dist/ and makes dist/ complete.
//   1. removes dist/ (a stale file from a renamed module must not survive a build);
//   2. tsc -p tsconfig.build.json;
//   3. copies what tsc does not emit: the generated protobuf module proto/gen/vpcemu.{js,d.ts};
//   4. checks that every relative import in dist/**/*.js resolves to a file inside dist/, and
//      fails the build naming the importer and the missing file otherwise;
//   5. writes dist/BUILD.json (package version and source digest) for bin/vpcemu.js.
// Usage: node scripts/build.mjs
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sourceDigest } from "../bin/source-digest.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const t0 = Date.now();

rmSync(dist, { recursive: true, force: true });
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
try {
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], {
    stdio: "inherit",
  });
} catch {
  console.error("build: tsc failed (see above); dist/ left incomplete on purpose");
  rmSync(dist, { recursive: true, force: true });
  process.exit(1);
}

for (const file of ["proto/gen/vpcemu.js", "proto/gen/vpcemu.d.ts"]) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  copyFileSync(join(root, file), join(dist, file));
}

/** Every .js file under dir. */
function jsFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...jsFiles(p));
    else if (e.name.endsWith(".js")) out.push(p);
  }
  return out;
}

const importRe = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;
const missing = [];
let checked = 0;
for (const file of jsFiles(dist)) {
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(importRe)) {
    const target = resolve(dirname(file), m[1]);
    checked++;
    if (!target.startsWith(dist + "/") || !existsSync(target)) {
      missing.push(`${relative(root, file)} imports ${m[1]} -> ${relative(root, target)}`);
    }
  }
}
if (missing.length > 0) {
  console.error(
    `build: dist/ is incomplete, ${missing.length} import(s) do not resolve inside dist/:`,
  );
  for (const line of missing) console.error(`  ${line}`);
  rmSync(dist, { recursive: true, force: true });
  process.exit(1);
}

const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
writeFileSync(
  join(dist, "BUILD.json"),
  JSON.stringify(
    { version, sourceDigest: sourceDigest(root), builtAt: new Date().toISOString() },
    null,
    2,
  ) + "\n",
);
console.log(`build: dist/ complete (${checked} relative imports checked) in ${Date.now() - t0} ms`);
