/**
 * Fuzz tier, document inputs (issue 14 items 4 and 6): 2,000 requests (times
 * VPCEMU_FUZZ_SCALE) whose bodies are valid CloudFormation templates, FIS experiment templates,
 * fault and alarm bodies with a few nodes replaced (test/fuzz/services-fuzzer.ts), seeded
 * (VPCEMU_FUZZ_SEED). Every answer is the service's own 4xx error or a success, never a 5xx;
 * no stack operation or experiment logs an internal failure; the controller keeps serving.
 */
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { makeEc2World } from "./ec2-world.js";
import { Rng, fuzzCount, fuzzSeed, heapMiB } from "./fuzz-random.js";
import { runServicesFuzz } from "./services-fuzzer.js";

const SEED = fuzzSeed();
const COUNT = fuzzCount(2_000);

let ctl: StartedController;
const internal: string[] = [];

beforeAll(async () => {
  ctl = await new Controller(
    {
      listen: "127.0.0.1:0",
      statePath: ":memory:",
      log: (l) => {
        if (/internal error|InternalFailure|TypeError|RangeError|ReferenceError/.test(l))
          internal.push(l);
      },
    },
    { fisTimeScale: 0.001 },
  ).start();
});

afterAll(async () => {
  await ctl?.stop();
});

describe("CloudFormation, FIS and the JSON API under mutated documents", () => {
  it(`answers ${COUNT} mutated templates and bodies with 2xx or the service's 4xx`, async () => {
    console.log(`fuzz services: VPCEMU_FUZZ_SEED=${SEED} requests=${COUNT}`);
    const ids = await makeEc2World(ctl.ec2Endpoint);
    const subnetArn = `arn:aws:ec2:us-east-1:123456789012:subnet/${ids["subnet"]![0]}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const heapBefore = heapMiB();
    const r = await runServicesFuzz(agent, ctl.url, subnetArn, COUNT, new Rng(SEED));
    agent.destroy();
    // Let scheduled stack operations finish, then look for internal failures they logged.
    await stacksSettled(ctl.url);
    const heapAfter = heapMiB();
    console.log(
      `fuzz services: ${r.requests} requests in ${r.elapsedMs} ms, statuses ${JSON.stringify(r.byStatus)}, ` +
        `heap ${heapBefore} -> ${heapAfter} MiB`,
    );
    expect(r.failures, `VPCEMU_FUZZ_SEED=${SEED}: ${r.failureCount} bad answers`).toEqual([]);
    expect(internal, `VPCEMU_FUZZ_SEED=${SEED}`).toEqual([]);
    const ok = await fetch(`${ctl.url}/v1/faults`);
    expect(ok.status).toBe(200);
  }, 120_000);
});

/** Polls CloudFormation ListStacks (unsigned Query) until no stack is `*_IN_PROGRESS`. */
async function stacksSettled(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ Action: "ListStacks", Version: "2010-05-15" }).toString(),
    });
    const xml = await res.text();
    expect(res.status, xml).toBe(200);
    if (!/_IN_PROGRESS</.test(xml)) return;
    if (Date.now() > deadline) throw new Error(`stacks still in progress after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
