/**
 * Chaos fault effects on real traffic (issue 9, item 7): delay, seeded loss, reject versus
 * blackhole, rate. Real namespaces, TUN devices, agents over loopback UDP; ICMP by iputils ping,
 * TCP and UDP by node sockets (test/helpers/chaos-probe.ts), TCP throughput by iperf3. Faults
 * go through the controller's JSON API (POST /v1/faults; the rate one through `vpcemu chaos
 * add`) and are used only once the agents enforce them (`state: "active"`); removals wait for
 * the enforced revision. Root required.
 *
 *   public 10.0.1.0/24          private 10.0.2.0/24
 *   web 10.0.1.10 (web-sg) ---> db    10.0.2.20 (db-sg)     faults: from sg:web-sg to sg:db-sg
 *                         \--> other 10.0.2.30 (other-sg)   never named by a fault: the control
 *   db: tcp echo 3306, udp echo 7, udp sink 9100, iperf3 5201; other: udp echo 7
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DB, OTHER, startChaosRuntime, type ChaosRuntime } from "../../helpers/chaos-runtime.js";
import {
  iperfTcp,
  median,
  pingRtts,
  startIperfServer,
  stopProcess,
} from "../../helpers/chaos-traffic.js";
import { chaosCli, type FaultView } from "../../helpers/chaos-api.js";

let rt: ChaosRuntime;
/** Figures for the final report (printed in afterAll). */
const figures: string[] = [];

const WEB_TO_DB = { from: ["sg:web-sg"], to: ["sg:db-sg"] } as const;

beforeAll(async () => {
  rt = await startChaosRuntime("fx", ["web", "db", "other"], {
    extraCommands: ["ping", "iperf3"],
  });
  const db = rt.probe("db");
  await db.tcpEchoServer(3306);
  await db.udpEchoServer(7);
  await db.udpSink(9100);
  await rt.probe("other").udpEchoServer(7);
  await rt.probe("web").tcpConnect(DB, 3306, 5000); // the web probe is up
}, 180_000);

afterEach(async () => {
  // Why: each test starts from no fault, enforced by every agent.
  await rt?.api.clearEnforced(rt.agentCount);
});

afterAll(async () => {
  if (figures.length > 0) console.log(`chaos effects, measured:\n  ${figures.join("\n  ")}`);
  await rt?.[Symbol.asyncDispose]();
});

describe("chaos effects on real traffic", () => {
  it("delays web -> db by the configured 100 ms (ICMP, UDP, TCP) and leaves web -> other alone", async () => {
    const web = rt.probe("web");
    const ns = rt.ns("web");
    const before = {
      pingDb: median((await pingRtts(ns, DB, 20)).rtts),
      pingOther: median((await pingRtts(ns, OTHER, 20)).rtts),
      udpDb: median(await web.udpRtts(DB, 7, 10, 20)),
    };
    await rt.api.addActive({ ...WEB_TO_DB, effects: { delay: { latencyMs: 100 } } });
    const pingDb = await pingRtts(ns, DB, 20);
    const pingOther = await pingRtts(ns, OTHER, 20);
    const udpDb = await web.udpRtts(DB, 7, 10, 20);
    const udpOther = await web.udpRtts(OTHER, 7, 10, 20);
    const tcp = await web.tcpEcho(DB, 3306, 3000);
    const after = {
      pingDb: median(pingDb.rtts),
      pingOther: median(pingOther.rtts),
      udpDb: median(udpDb),
      udpOther: median(udpOther),
    };
    const f = (x: number): string => x.toFixed(2);
    figures.push(
      `delay 100 ms: ping web->db median ${f(before.pingDb)} -> ${f(after.pingDb)} ms ` +
        `(+${f(after.pingDb - before.pingDb)}, min ${f(Math.min(...pingDb.rtts))}), web->other ` +
        `${f(before.pingOther)} -> ${f(after.pingOther)} ms; UDP web->db ${f(before.udpDb)} -> ` +
        `${f(after.udpDb)} ms (+${f(after.udpDb - before.udpDb)}), web->other ${f(after.udpOther)} ms; ` +
        `TCP connect+echo web->db ${tcp.ms} ms`,
    );
    // Tolerances. Floor: the agent releases a delayed packet no earlier than 100 ms after it
    // came, so every RTT is >= 99 ms (1 ms for timer rounding). Median rise: 100 ms -10/+30 ms
    // for ICMP (the kernel answers), -10/+40 ms for UDP (two node processes answer and time it;
    // on a loaded 2-core machine their event loops add tens of ms). Only the request leg is
    // delayed (a one-way fault), so the RTT grows by one delay.
    expect(pingDb.lost, pingDb.output).toBe(0);
    expect(Math.min(...pingDb.rtts)).toBeGreaterThanOrEqual(99);
    expect(after.pingDb - before.pingDb).toBeGreaterThanOrEqual(90);
    expect(after.pingDb - before.pingDb).toBeLessThanOrEqual(130);
    expect(udpDb).toHaveLength(10);
    expect(Math.min(...udpDb)).toBeGreaterThanOrEqual(99);
    expect(after.udpDb - before.udpDb).toBeGreaterThanOrEqual(90);
    expect(after.udpDb - before.udpDb).toBeLessThanOrEqual(140);
    // TCP: the SYN and the data line each wait 100 ms (the replies are not delayed).
    expect(tcp.ok, JSON.stringify(tcp)).toBe(true);
    expect(tcp.ms).toBeGreaterThanOrEqual(198);
    expect(tcp.ms).toBeLessThanOrEqual(350);
    // web -> other is not between web-sg and db-sg: the ping median moves by less than 10 ms,
    // the UDP median stays far below the delay.
    expect(pingOther.lost, pingOther.output).toBe(0);
    expect(Math.abs(after.pingOther - before.pingOther)).toBeLessThan(10);
    expect(udpOther).toHaveLength(10);
    expect(after.udpOther).toBeLessThan(50);
  }, 90_000);

  it("drops 20 % of 2,000 UDP datagrams within 4.5 sigma, and the same seed drops the same count", async () => {
    const N = 2000;
    const run = async (seed: number, tag: string) => {
      const fault = await rt.api.addActive({
        ...WEB_TO_DB,
        protocol: "udp",
        ports: "9100",
        seed,
        effects: { loss: { percent: 20 } },
      });
      const sent = await rt.probe("web").udpSend(DB, 9100, N, tag);
      // The agent reports per-fault counters with its periodic report (every 5 s); once they
      // show every datagram matched, all of them have passed the agent, so the sink's count
      // is final (settledCount still waits for a quiet 0.5 s).
      const view = (await rt.api.waitFor(
        fault.faultId,
        (v) => (v?.counters.matched ?? 0) >= N,
        `counting ${N} matched packets`,
        20_000,
      )) as FaultView;
      const received = await rt.probe("db").settledCount(9100, tag);
      await rt.api.removeEnforced(fault.faultId, rt.agentCount);
      return { sent, received, lost: sent - received, counters: view.counters };
    };
    const first = await run(4242, "a");
    const second = await run(4242, "b");
    figures.push(
      `loss 20 % seed 4242 over ${N} datagrams: lost ${first.lost} then ${second.lost} ` +
        `(expected 400 +/- 80.5); fault counters matched ${first.counters.matched}, dropped ${first.counters.dropped}`,
    );
    expect(first.sent).toBe(N);
    expect(second.sent).toBe(N);
    // Binomial(2000, 0.2): mean 400, sigma sqrt(2000 * 0.2 * 0.8) = 17.9; 4.5 sigma = 80.5.
    const sigma = Math.sqrt(N * 0.2 * 0.8);
    expect(Math.abs(first.lost - N * 0.2)).toBeLessThanOrEqual(4.5 * sigma);
    // Every datagram reached the fault step once and only the fault dropped any.
    expect(first.counters.matched).toBe(N);
    expect(first.counters.dropped).toBe(first.lost);
    // Same seed, same packet sequence: the same decisions.
    expect(second.lost).toBe(first.lost);
    expect(second.counters.dropped).toBe(first.counters.dropped);
  }, 120_000);

  it("reject fails a TCP connect at once (ECONNREFUSED) and a UDP send (ICMP unreachable); blackhole times out (CT-11)", async () => {
    const web = rt.probe("web");
    // Without a fault both answer.
    expect(await web.tcpConnect(DB, 3306, 3000)).toMatchObject({ ok: true });
    expect(await web.udpProbe(DB, 7, 3000)).toMatchObject({ ok: true });

    const reject = await rt.api.addActive({ ...WEB_TO_DB, effects: { reject: true } });
    const refusedTcp = await web.tcpConnect(DB, 3306, 3000);
    const refusedUdp = await web.udpProbe(DB, 7, 3000);
    await rt.api.removeEnforced(reject.faultId, rt.agentCount);

    await rt.api.addActive({ ...WEB_TO_DB, effects: { blackhole: true } });
    const silentTcp = await web.tcpConnect(DB, 3306, 3000);
    const silentUdp = await web.udpProbe(DB, 7, 3000);
    figures.push(
      `reject: TCP ${refusedTcp.error} after ${refusedTcp.ms} ms, UDP ${refusedUdp.error} after ${refusedUdp.ms} ms; ` +
        `blackhole: TCP ${silentTcp.error} after ${silentTcp.ms} ms, UDP ${silentUdp.error} after ${silentUdp.ms} ms`,
    );
    // "At once": the agent answers the SYN itself with a RST; 1 s covers a loaded machine and is
    // below the first SYN retransmission (1 s), so a refused connect is never a late one.
    expect(refusedTcp).toMatchObject({ ok: false, error: "ECONNREFUSED" });
    expect(refusedTcp.ms).toBeLessThan(1000);
    expect(refusedUdp).toMatchObject({ ok: false, error: "ECONNREFUSED" });
    expect(refusedUdp.ms).toBeLessThan(1000);
    // Blackhole: silence, what an SG or NACL drop looks like (AWS-BEHAVIOUR CT-11).
    expect(silentTcp).toMatchObject({ ok: false, error: "timeout" });
    expect(silentUdp).toMatchObject({ ok: false, error: "timeout" });
  }, 60_000);

  it("limits web -> db to rate 10mbit: iperf3 within 10 %", async () => {
    // Without the fault the path is far faster, so the figure below is the fault's doing.
    let server = await startIperfServer(rt.ns("db"), 5201);
    let free: Awaited<ReturnType<typeof iperfTcp>>;
    try {
      free = await iperfTcp(rt.ns("web"), DB, 5201, 3, 1);
    } finally {
      await stopProcess(server);
    }
    // The user's way: `vpcemu chaos add ... --rate 10mbit` (10,000,000 bit/s).
    const id = await chaosCli(rt.runtime.controllerUrl, [
      "add",
      "--from",
      "sg:web-sg",
      "--to",
      "sg:db-sg",
      "--rate",
      "10mbit",
    ]);
    const view = await rt.api.waitActive(id);
    expect(view.effects).toMatchObject({ rate: { bitsPerSecond: 10_000_000 } });
    server = await startIperfServer(rt.ns("db"), 5201);
    let limited: Awaited<ReturnType<typeof iperfTcp>>;
    try {
      limited = await iperfTcp(rt.ns("web"), DB, 5201, 8, 2);
    } finally {
      await stopProcess(server);
    }
    figures.push(
      `rate 10mbit: iperf3 TCP web->db ${(limited.receivedBps / 1e6).toFixed(2)} Mbit/s received ` +
        `(sent ${(limited.sentBps / 1e6).toFixed(2)}, ${limited.retransmits} retransmits); ` +
        `without the fault ${(free.receivedBps / 1e6).toFixed(1)} Mbit/s`,
    );
    expect(free.receivedBps).toBeGreaterThan(30e6);
    // Goodput over 8 s after 2 s left out; TCP/IP headers are < 1 % at the 9001-byte MTU.
    expect(limited.receivedBps).toBeGreaterThanOrEqual(9e6);
    expect(limited.receivedBps).toBeLessThanOrEqual(11e6);
  }, 120_000);
});
