/**
 * Chaos partitions and live selectors on real traffic (issue 9, item 7): a one-way partition
 * between security groups, a symmetric partition between subnets, and a fault that covers an
 * instance joining its group later (selectors are live like SG references, AWS-BEHAVIOUR REF-2).
 * Real namespaces, TUN devices, agents over loopback UDP, kernel sockets; root required. Faults
 * go through `vpcemu chaos partition` (the one-way cut) or the JSON API, and are used once
 * `state: "active"`; removals and group changes wait for the revision every agent enforces.
 *
 *   public 10.0.1.0/24                     private 10.0.2.0/24
 *     web  10.0.1.10 web-sg      <---->      db    10.0.2.20 db-sg
 *     web2 10.0.1.11 other-sg                other 10.0.2.30 other-sg
 *   every node: tcp echo 3306, udp echo 7, udp sink 9100
 */
import { ModifyNetworkInterfaceAttributeCommand } from "@aws-sdk/client-ec2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DB,
  OTHER,
  WEB,
  WEB2,
  startChaosRuntime,
  type ChaosRuntime,
} from "../../helpers/chaos-runtime.js";
import { chaosCli } from "../../helpers/chaos-api.js";
import { pingRtts } from "../../helpers/chaos-traffic.js";

const NODES = ["web", "web2", "db", "other"] as const;
let rt: ChaosRuntime;
let tagSeq = 0;

beforeAll(async () => {
  rt = await startChaosRuntime("pt", NODES, { extraCommands: ["ping"] });
  for (const n of NODES) {
    const p = rt.probe(n);
    await p.tcpEchoServer(3306);
    await p.udpEchoServer(7);
    await p.udpSink(9100);
  }
}, 180_000);

afterEach(async () => {
  await rt?.api.clearEnforced(rt.agentCount);
});

afterAll(async () => {
  await rt?.[Symbol.asyncDispose]();
});

/** Sends `count` paced datagrams from `from` to host:9100; how many the sink on `to` got. */
async function udpArrivals(from: string, to: string, host: string, count = 50): Promise<number> {
  const tag = `t${tagSeq++}`;
  const sent = await rt.probe(from).udpSend(host, 9100, count, tag, { burst: 1, intervalMs: 5 });
  expect(sent).toBe(count);
  return rt.probe(to).settledCount(9100, tag);
}

/** True when a TCP connection from `from` to host:3306 opens and echoes within 1.5 s. */
async function tcpWorks(from: string, host: string): Promise<boolean> {
  return (await rt.probe(from).tcpEcho(host, 3306, 1500)).ok;
}

/** True when every one of 3 pings from `from` to host is answered. */
async function pingWorks(from: string, host: string): Promise<boolean> {
  return (await pingRtts(rt.ns(from), host, 3, 0.2, 1)).lost === 0;
}

describe("chaos partitions and live selectors on real traffic", () => {
  it("one-way partition web-sg -> db-sg: TCP from web to db fails, UDP from db to web still arrives", async () => {
    // Before: everything flows both ways.
    expect(await tcpWorks("web", DB)).toBe(true);
    // The user's way: `vpcemu chaos partition sg:web-sg sg:db-sg --one-way`.
    const id = await chaosCli(rt.runtime.controllerUrl, [
      "partition",
      "sg:web-sg",
      "sg:db-sg",
      "--one-way",
    ]);
    await rt.api.waitActive(id);
    const tcpWebDb = await rt.probe("web").tcpConnect(DB, 3306, 2000);
    const udpDbToWeb = await udpArrivals("db", "web", WEB);
    const udpWebToDb = await udpArrivals("web", "db", DB);
    // TCP from db to web opens nothing either: its SYN-ACK would travel web -> db.
    const tcpDbWeb = await rt.probe("db").tcpConnect(WEB, 3306, 2000);
    // Untouched: web -> other (other-sg is in no group).
    const webOther = await tcpWorks("web", OTHER);
    expect(tcpWebDb).toMatchObject({ ok: false, error: "timeout" });
    expect(udpDbToWeb).toBe(50);
    expect(udpWebToDb).toBe(0);
    expect(tcpDbWeb).toMatchObject({ ok: false, error: "timeout" });
    expect(webOther).toBe(true);
  }, 60_000);

  it("symmetric partition subnet public | subnet private cuts both ways across, not within", async () => {
    await rt.api.partitionActive({ groups: [["subnet:public"], ["subnet:private"]] });
    const across = {
      pingWebDb: await pingWorks("web", DB),
      pingDbWeb: await pingWorks("db", WEB),
      tcpWebDb: await tcpWorks("web", DB),
      tcpOtherWeb2: await tcpWorks("other", WEB2),
      udpWebToDb: await udpArrivals("web", "db", DB),
      udpDbToWeb: await udpArrivals("db", "web", WEB),
    };
    const within = {
      pingWebWeb2: await pingWorks("web", WEB2),
      tcpDbOther: await tcpWorks("db", OTHER),
      udpOtherToDb: await udpArrivals("other", "db", DB),
    };
    expect(across).toEqual({
      pingWebDb: false,
      pingDbWeb: false,
      tcpWebDb: false,
      tcpOtherWeb2: false,
      udpWebToDb: 0,
      udpDbToWeb: 0,
    });
    expect(within).toEqual({ pingWebWeb2: true, tcpDbOther: true, udpOtherToDb: 50 });
  }, 90_000);

  it("covers an instance that joins web-sg later, with no change to the fault (REF-2)", async () => {
    const fault = await rt.api.addActive({
      from: ["sg:web-sg"],
      to: ["sg:db-sg"],
      protocol: "tcp",
      ports: "3306",
      effects: { blackhole: true },
    });
    expect(await tcpWorks("web", DB)).toBe(false);
    expect(await tcpWorks("web2", DB)).toBe(true); // web2 is in other-sg only
    expect(fault.resolved?.from).toEqual([rt.eni("web")]);

    const before = (await rt.api.revision()).revision;
    await rt.runtime.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: rt.eni("web2"),
        Groups: [rt.sg("other-sg"), rt.sg("web-sg")],
      }),
    );
    await rt.api.waitEnforced(rt.agentCount, before + 1);

    const tcp = await rt.probe("web2").tcpConnect(DB, 3306, 2000);
    const udp = await rt.probe("web2").udpProbe(DB, 7, 2000); // not tcp/3306: untouched
    const after = (await rt.api.get(fault.faultId))!;
    expect(tcp).toMatchObject({ ok: false, error: "timeout" });
    expect(udp).toMatchObject({ ok: true });
    // The same fault, unchanged: id, revision, selectors as given; only its resolution grew.
    expect(after).toMatchObject({
      faultId: fault.faultId,
      revision: fault.revision,
      from: fault.from,
      to: fault.to,
      state: "active",
    });
    expect([...after.resolved!.from].sort()).toEqual([rt.eni("web"), rt.eni("web2")].sort());
  }, 60_000);
});
