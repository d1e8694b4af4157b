/**
 * Fuzz tier, agent hub (issue 14 item 6): 5,000 frames (times VPCEMU_FUZZ_SCALE) over real
 * WebSockets to an in-process controller: random bytes, text frames, valid agent frames and
 * their mutants, before and after a valid Hello (test/fuzz/hub-fuzzer.ts), seeded
 * (VPCEMU_FUZZ_SEED). The hub logs no internal error, the controller stays up, a real agent
 * still joins and enforces a change afterwards, and the heap stays bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { ControllerClient } from "../../node-agent/control/controller-client.js";
import { makeEc2World } from "./ec2-world.js";
import { runHubFuzz } from "./hub-fuzzer.js";
import { Rng, fuzzCount, fuzzSeed, heapMiB } from "./fuzz-random.js";

const SEED = fuzzSeed();
const FRAMES = fuzzCount(5_000);
/** Heap growth allowed after a GC (scales with the frame count). */
const MAX_HEAP_GROWTH_MIB = fuzzCount(64);

let ctl: StartedController;
const bad: string[] = [];

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: (l) => {
      if (/internal|TypeError|RangeError|ReferenceError/.test(l)) bad.push(l);
    },
  }).start();
});

afterAll(async () => {
  await ctl?.stop();
});

describe("agent hub under random frames", () => {
  it(`takes ${FRAMES} random and mutated frames without an internal error; a real agent joins afterwards`, async () => {
    console.log(`fuzz hub: VPCEMU_FUZZ_SEED=${SEED} frames=${FRAMES}`);
    const ids = await makeEc2World(ctl.ec2Endpoint);
    const heapBefore = heapMiB();
    const r = await runHubFuzz({
      url: ctl.agentUrl,
      frames: FRAMES,
      concurrency: 8,
      rng: new Rng(SEED),
      instanceIds: ids["i"]!,
      eniIds: ids["eni"]!,
    });
    const heapAfter = heapMiB();
    console.log(
      `fuzz hub: ${r.frames} frames on ${r.connections} connections (${r.hellos} Hellos) in ${r.elapsedMs} ms ` +
        `(${Math.round((r.frames * 1000) / r.elapsedMs)}/s), ${r.answers} frames back, close codes ${JSON.stringify(r.closeCodes)}, ` +
        `heap ${heapBefore} -> ${heapAfter} MiB`,
    );
    expect(bad, `VPCEMU_FUZZ_SEED=${SEED}`).toEqual([]);
    expect(r.closeCodes[1011] ?? 0, "internal-error closes").toBe(0);
    expect(heapAfter - heapBefore).toBeLessThan(MAX_HEAP_GROWTH_MIB);

    // A real agent hosting the world's instance joins and enforces the current revision.
    const snapshots: number[] = [];
    const client = new ControllerClient({
      url: ctl.agentUrl,
      agentId: "after-fuzz",
      hosting: {
        instanceIds: ids["i"]!,
        eniIds: [],
        externals: [],
        underlayEndpoint: "127.0.0.1:7999",
      },
      onSnapshot: (s) => {
        snapshots.push(s.revision);
      },
    });
    try {
      client.start();
      await client.enforced(ctl.revision());
      expect(snapshots.length).toBeGreaterThan(0);
      const res = await fetch(`${ctl.url}/v1/revision`);
      expect(res.status).toBe(200);
    } finally {
      await client.close();
    }
  }, 120_000);
});
