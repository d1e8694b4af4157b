// A digest of the TypeScript sources that dist/ is built from (the folders tsconfig.build.json
// includes, plus the generated protobuf module). scripts/build.mjs stores it in dist/BUILD.json;
// bin/vpcemu.js compares it to tell a current dist/ from a stale one. Plain JavaScript: it runs
// before any loader.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const SOURCE_DIRS = ["controller", "node-agent", "proto", "cli", "testcontainers"];

/** Hex digest over the paths and contents of every .ts/.js/.mjs file under SOURCE_DIRS. */
export function sourceDigest(root) {
  const hash = createHash("sha256");
  const files = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js|mjs)$/.test(e.name)) files.push(p);
    }
  };
  for (const dir of SOURCE_DIRS)
    if (existsSync(join(root, dir)) && statSync(join(root, dir)).isDirectory()) walk(dir);
  files.sort();
  for (const f of files) {
    hash.update(f);
    hash.update("\0");
    hash.update(readFileSync(join(root, f)));
    hash.update("\0");
  }
  return hash.digest("hex");
}
