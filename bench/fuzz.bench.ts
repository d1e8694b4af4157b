/**
 * The fuzz tier at bench scale (issue 14 item 6): the drivers of test/fuzz/ against an
 * in-process controller and a real agent, with more inputs than CI runs. Prints requests/s, the
 * worst request time (a sequential pass, so no queueing is counted), heap before and after and
 * every broken answer (heap after a GC: the script runs with --expose-gc); exits 1 when one was
 * found.
 *   npm run bench:fuzz     (VPCEMU_FUZZ_SCALE=1 is 100,000 EC2 requests, 25,000 hub frames,
 *                           10,000 CloudFormation/FIS/JSON documents, 50,000 datagrams;
 *                           VPCEMU_FUZZ_SEED reproduces a run)
 */
import { Agent } from "node:http";
import { Controller } from "../controller/app.js";
import { runEc2Fuzz } from "../test/fuzz/ec2-fuzzer.js";
import { makeEc2World } from "../test/fuzz/ec2-world.js";
import { Rng, fuzzCount, fuzzSeed, heapMiB } from "../test/fuzz/fuzz-random.js";
import { runHubFuzz } from "../test/fuzz/hub-fuzzer.js";
import { runServicesFuzz } from "../test/fuzz/services-fuzzer.js";
import { runUnderlayFuzz, startUnderlayWorld } from "../test/fuzz/underlay-fuzzer.js";

const SEED = fuzzSeed();
const rng = new Rng(SEED);
console.log(`bench:fuzz VPCEMU_FUZZ_SEED=${SEED}`);
let broken = 0;
const internal: string[] = [];

const ctl = await new Controller({
  listen: "127.0.0.1:0",
  statePath: ":memory:",
  log: (l) => {
    if (/internal error|InternalFailure|TypeError|RangeError|ReferenceError/.test(l))
      internal.push(l);
  },
}).start();
try {
  const ids = await makeEc2World(ctl.ec2Endpoint);
  const heap0 = heapMiB();
  const par = await runEc2Fuzz({
    endpoint: ctl.ec2Endpoint,
    count: fuzzCount(100_000),
    concurrency: 4,
    rng: rng.fork(1),
    ids,
  });
  const seq = await runEc2Fuzz({
    endpoint: ctl.ec2Endpoint,
    count: fuzzCount(10_000),
    concurrency: 1,
    rng: rng.fork(2),
    ids,
  });
  const heap1 = heapMiB();
  for (const [label, r] of [
    ["4 in flight", par],
    ["sequential", seq],
  ] as const) {
    console.log(
      `ec2 ${label.padEnd(12)} ${r.requests} requests in ${(r.elapsedMs / 1000).toFixed(1)} s = ` +
        `${Math.round((r.requests * 1000) / r.elapsedMs)} requests/s; worst ${r.worstMs} ms; ` +
        `statuses ${JSON.stringify(r.byStatus)}; broken ${r.failureCount}`,
    );
    for (const f of r.failures) console.log(`  BROKEN ${f}`);
    broken += r.failureCount;
  }
  console.log(`ec2 worst sequential request: ${seq.worstRequest.slice(0, 300)}`);
  console.log(`ec2 heap ${heap0} -> ${heap1} MiB`);

  const hub = await runHubFuzz({
    url: ctl.agentUrl,
    frames: fuzzCount(25_000),
    concurrency: 8,
    rng: rng.fork(3),
    instanceIds: ids["i"]!,
    eniIds: ids["eni"]!,
  });
  const heap2 = heapMiB();
  console.log(
    `hub ${hub.frames} frames on ${hub.connections} connections in ${(hub.elapsedMs / 1000).toFixed(1)} s = ` +
      `${Math.round((hub.frames * 1000) / hub.elapsedMs)} frames/s; close codes ${JSON.stringify(hub.closeCodes)}; ` +
      `heap ${heap1} -> ${heap2} MiB`,
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const subnetArn = `arn:aws:ec2:us-east-1:123456789012:subnet/${ids["subnet"]![0]}`;
  const svc = await runServicesFuzz(agent, ctl.url, subnetArn, fuzzCount(10_000), rng.fork(5));
  agent.destroy();
  const heap3 = heapMiB();
  console.log(
    `services ${svc.requests} templates and bodies in ${(svc.elapsedMs / 1000).toFixed(1)} s = ` +
      `${Math.round((svc.requests * 1000) / svc.elapsedMs)} requests/s; statuses ${JSON.stringify(svc.byStatus)}; ` +
      `broken ${svc.failureCount}; heap ${heap2} -> ${heap3} MiB`,
  );
  for (const f of svc.failures) console.log(`  BROKEN ${f}`);
  broken += svc.failureCount;
  const ok = await fetch(`${ctl.url}/v1/revision`);
  if (ok.status !== 200) {
    console.log(`BROKEN /v1/revision answered ${ok.status} after the hub fuzz`);
    broken++;
  }
} finally {
  await ctl.stop();
}
for (const l of internal) console.log(`  INTERNAL ${l.slice(0, 500)}`);
broken += internal.length;

const w = await startUnderlayWorld();
try {
  const heap0 = heapMiB();
  const u = await runUnderlayFuzz(w, fuzzCount(50_000), rng.fork(4));
  const heap1 = heapMiB();
  console.log(
    `underlay ${u.datagrams} datagrams in ${(u.elapsedMs / 1000).toFixed(1)} s = ` +
      `${Math.round((u.datagrams * 1000) / u.elapsedMs)} datagrams/s; ${u.deliveredToTun} to the TUN; ` +
      `drops ${JSON.stringify(u.drops)}; heap ${heap0} -> ${heap1} MiB`,
  );
  const internalDrops = u.drops["internal_error"] ?? 0;
  if (internalDrops > 0 || w.warnings.length > 0) {
    console.log(`BROKEN underlay: ${internalDrops} internal_error drops; ${w.warnings.join("; ")}`);
    broken++;
  }
} finally {
  await w.close();
}
console.log(`bench:fuzz: ${broken === 0 ? "nothing broken" : `${broken} broken answers`}`);
process.exitCode = broken === 0 ? 0 : 1;
