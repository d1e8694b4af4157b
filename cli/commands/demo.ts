/**
 * `vpcemu demo`: starts a private local runtime with examples/two-tier.yaml, runs the seed
 * scenario on real traffic (cli/runtime/two-tier-demo.ts), prints PASS/FAIL per expectation
 * with timings and conntrack tables, removes everything, and exits 1 if anything failed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalRuntime } from "../runtime/local-runtime.js";
import { assertPrerequisites } from "../runtime/netns.js";
import { TWO_TIER_EXAMPLE } from "../runtime/paths.js";
import { runTwoTierScenario } from "../runtime/two-tier-demo.js";
import { parseCommandArgs } from "./usage.js";

const USAGE = `Usage: vpcemu demo

Runs the two-tier seed scenario (examples/two-tier.yaml) on real traffic between network
namespaces and reports PASS/FAIL per expectation. Needs Linux, root, /dev/net/tun, iproute2
and ping. Uses its own namespaces (vpcemu-demo-*), so it can run next to 'vpcemu up'.`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, {}, USAGE);
  if (!parsed) return 0;
  assertPrerequisites(["ping"]);
  const print = (line: string) => process.stdout.write(line + "\n");
  const dir = mkdtempSync(join(tmpdir(), "vpcemu-demo-"));
  const t0 = performance.now();
  print("vpcemu demo: the two-tier seed scenario on real traffic");
  const runtime = await new LocalRuntime({
    topologyFile: TWO_TIER_EXAMPLE,
    listen: "127.0.0.1:0",
    runtimeDir: dir,
    namespacePrefix: "vpcemu-demo-",
    log: (line) => print(`  . ${line}`),
  }).start();
  let failed = 0;
  let total = 0;
  try {
    print(
      `runtime up in ${(performance.now() - t0).toFixed(0)} ms: ${runtime
        .nodes()
        .map((n) => `${n.name} ${n.addresses.join(",")}`)
        .join("; ")}`,
    );
    print("");
    const results = await runTwoTierScenario(runtime, print);
    total = results.length;
    failed = results.filter((r) => !r.pass).length;
  } finally {
    await runtime.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  print("");
  print(
    `${failed === 0 ? "PASS" : "FAIL"}: ${total - failed}/${total} expectations held (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return failed === 0 ? 0 : 1;
}
