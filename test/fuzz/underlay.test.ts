/**
 * Fuzz tier, underlay (issue 14 item 6): 5,000 datagrams (times VPCEMU_FUZZ_SCALE) on loopback
 * to a real agent's UDP underlay socket: random bytes, valid Geneve datagrams and mutants of
 * them and of their inner packets (test/fuzz/underlay-fuzzer.ts), seeded (VPCEMU_FUZZ_SEED).
 * Nothing a datagram causes throws (no internal_error drop, no warning), the agent still
 * forwards a valid ping both ways afterwards, and the heap stays bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import { decodePacket } from "../../node-agent/packet/decode.js";
import { buildIcmpEcho } from "../helpers/packet-builder.js";
import { Rng, fuzzCount, fuzzSeed, heapMiB } from "./fuzz-random.js";
import {
  encapsulate,
  runUnderlayFuzz,
  startUnderlayWorld,
  type UnderlayWorld,
} from "./underlay-fuzzer.js";

const SEED = fuzzSeed();
const COUNT = fuzzCount(5_000);
/** Heap growth allowed after a GC (scales with the datagram count). */
const MAX_HEAP_GROWTH_MIB = fuzzCount(32);

let w: UnderlayWorld;

beforeAll(async () => {
  w = await startUnderlayWorld();
});

afterAll(async () => {
  await w?.close();
});

describe("agent underlay under random datagrams", () => {
  it(`drops ${COUNT} random and mutated datagrams without an internal error and forwards afterwards`, async () => {
    console.log(`fuzz underlay: VPCEMU_FUZZ_SEED=${SEED} datagrams=${COUNT}`);
    const heapBefore = heapMiB();
    const r = await runUnderlayFuzz(w, COUNT, new Rng(SEED));
    const heapAfter = heapMiB();
    console.log(
      `fuzz underlay: ${r.datagrams} datagrams in ${r.elapsedMs} ms (${Math.round((r.datagrams * 1000) / r.elapsedMs)}/s), ` +
        `${r.deliveredToTun} delivered to the TUN, ${r.sentBack} sent back, drops ${JSON.stringify(r.drops)}, ` +
        `heap ${heapBefore} -> ${heapAfter} MiB`,
    );
    expect(r.drops[DropReason.InternalError] ?? 0, `VPCEMU_FUZZ_SEED=${SEED}`).toBe(0);
    expect(w.warnings, `VPCEMU_FUZZ_SEED=${SEED}`).toEqual([]);
    expect(r.deliveredToTun).toBeGreaterThan(0);
    expect(heapAfter - heapBefore).toBeLessThan(MAX_HEAP_GROWTH_MIB);

    // Still forwarding: a ping from eni-b reaches eni-a's TUN, and eni-a's reply comes back.
    w.tun.received();
    const sentBack = w.fromAgent.length;
    const ping = buildIcmpEcho({ src: "10.0.2.20", dst: "10.0.1.10", id: 4242, seq: 9 });
    w.socket.send(encapsulate(ping), w.agentPort, "127.0.0.1");
    const got = await w.tun.nextReceived(2000);
    expect(got).toEqual(ping);
    w.tun.send(
      buildIcmpEcho({ src: "10.0.1.10", dst: "10.0.2.20", id: 4242, seq: 9, reply: true }),
    );
    const deadline = Date.now() + 2000;
    while (w.fromAgent.length === sentBack && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 5));
    const back = w.fromAgent.at(-1);
    expect(back, "the reply sent back over the underlay").toBeDefined();
    const inner = back!.subarray(back!.length - ping.length);
    const d = decodePacket(inner, 0, inner.length);
    expect(typeof d === "string" ? d : d.icmpType).toBe(0);
  }, 120_000);
});
