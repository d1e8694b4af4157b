/**
 * Fuzz tier, EC2 Query API (issue 14 item 6): 20,000 random requests (times VPCEMU_FUZZ_SCALE)
 * to an in-process controller on loopback, drawn from the action table and AWS's parameter
 * shapes (test/fuzz/ec2-fuzzer.ts), seeded (VPCEMU_FUZZ_SEED reproduces a run). Every answer is
 * a well-formed AWS XML success (200) or error (4xx), never a 5xx or a cut connection; the
 * controller keeps serving valid requests, the hub and JSON API included, and its heap stays
 * bounded. Figures are printed; bench/fuzz.bench.ts runs more.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { runEc2Fuzz } from "./ec2-fuzzer.js";
import { makeEc2World } from "./ec2-world.js";
import { Rng, fuzzCount, fuzzSeed, heapMiB } from "./fuzz-random.js";

const SEED = fuzzSeed();
const COUNT = fuzzCount(20_000);
/** Requests with random SigV4 headers to a controller in auth mode. */
const AUTH_COUNT = fuzzCount(2_000);
/** Heap growth allowed after a GC (the state accepted writes create; scales with the count). */
const MAX_HEAP_GROWTH_MIB = fuzzCount(96);

let ctl: StartedController;
let authCtl: StartedController;
const internal: string[] = [];

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: (l) => {
      if (/internal/i.test(l)) internal.push(l);
    },
  }).start();
  authCtl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    authKeys: { AKIDFUZZ: "secret" },
    log: (l) => {
      if (/internal/i.test(l)) internal.push(l);
    },
  }).start();
});

afterAll(async () => {
  await ctl?.stop();
  await authCtl?.stop();
});

describe("EC2 Query API under random requests", () => {
  it(`answers ${COUNT} random requests with AWS XML 200/4xx only and keeps serving`, async () => {
    console.log(`fuzz ec2: VPCEMU_FUZZ_SEED=${SEED} requests=${COUNT}`);
    const ids = await makeEc2World(ctl.ec2Endpoint);
    const heapBefore = heapMiB();
    const r = await runEc2Fuzz({
      endpoint: ctl.ec2Endpoint,
      count: COUNT,
      concurrency: 4,
      rng: new Rng(SEED),
      ids,
    });
    const heapAfter = heapMiB();
    const top = [...r.errorCodes].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(
      `fuzz ec2: ${r.requests} requests in ${r.elapsedMs} ms (${Math.round((r.requests * 1000) / r.elapsedMs)}/s), ` +
        `statuses ${JSON.stringify(r.byStatus)}, worst ${r.worstMs} ms (${r.worstRequest.slice(0, 200)}), ` +
        `heap ${heapBefore} -> ${heapAfter} MiB; top errors ${top.map(([c, n]) => `${c}=${n}`).join(" ")}`,
    );
    expect(r.failures, `VPCEMU_FUZZ_SEED=${SEED}: ${r.failureCount} bad answers`).toEqual([]);
    expect(internal).toEqual([]);
    // Still serving: a valid call, the JSON API.
    const ok = await fetch(ctl.ec2Endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=DescribeVpcs&Version=2016-11-15",
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(ids["vpc"]![0]!);
    const rev = await fetch(`${ctl.url}/v1/revision`);
    expect(rev.status).toBe(200);
    expect(heapAfter - heapBefore).toBeLessThan(MAX_HEAP_GROWTH_MIB);
  }, 120_000);

  it(`answers ${AUTH_COUNT} requests with random SigV4 headers in auth mode with AWS XML 4xx`, async () => {
    const r = await runEc2Fuzz({
      endpoint: authCtl.ec2Endpoint,
      count: AUTH_COUNT,
      concurrency: 4,
      rng: new Rng(SEED).fork(99),
      ids: {},
      authKeyId: "AKIDFUZZ",
    });
    console.log(
      `fuzz ec2 auth: ${r.requests} requests in ${r.elapsedMs} ms, statuses ${JSON.stringify(r.byStatus)}, ` +
        `codes ${[...r.errorCodes].map(([c, n]) => `${c}=${n}`).join(" ")}`,
    );
    expect(r.failures, `VPCEMU_FUZZ_SEED=${SEED}: ${r.failureCount} bad answers`).toEqual([]);
    expect(r.byStatus[200] ?? 0, "no request with a wrong signature is served").toBe(0);
    expect(internal).toEqual([]);
  }, 60_000);
});
