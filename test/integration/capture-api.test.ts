/**
 * POST /v1/captures end to end in-process: a real controller and two agents (FakeTun,
 * MemoryBus, real WebSocket hub). The answer streams the agent's pcapng while packets flow;
 * GET /v1/captures lists the capture; DELETE ends it cleanly (interface statistics last); a
 * capture whose agent loses its controller connection ends too, and nothing is left running
 * (docs/observability.md "Capture", docs/json-api.md "/v1/captures").
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.js";
import {
  createWebDbTopology,
  startTestController,
  type InProcessAgent,
  type TestController,
  type WebDbTopology,
} from "../helpers/in-process-agents.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import { buildIcmpEcho, buildTcp } from "../helpers/packet-builder.js";
import { requireTshark, tsharkFields } from "../helpers/tshark.js";
import { waitUntil } from "../helpers/wait-until.js";

let h: TestController;
let topo: WebDbTopology;
let web: InProcessAgent;
let db: InProcessAgent;
let webTun: FakeTun;
const dir = mkdtempSync(join(tmpdir(), "vpcemu-capture-api-"));

beforeAll(async () => {
  h = await startTestController();
  topo = await createWebDbTopology(h.ec2);
  web = await h.startAgent({
    agentId: "agent-web",
    instanceIds: [topo.web.InstanceId!],
    endpoint: "127.0.0.1:7301",
  });
  db = await h.startAgent({
    agentId: "agent-db",
    instanceIds: [topo.db.InstanceId!],
    endpoint: "127.0.0.1:7302",
  });
  await h.enforced();
  webTun = await web.tuns.tun(topo.web.NetworkInterfaces![0]!.NetworkInterfaceId!);
});

afterAll(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A running capture's stream: bytes so far, and whether it ended. */
interface Stream {
  readonly id: string;
  readonly agentId: string;
  bytes(): Buffer;
  readonly ended: Promise<void>;
}

async function startCapture(body: unknown): Promise<Stream> {
  const res = await fetch(`${h.ctl.url}/v1/captures`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`POST /v1/captures: ${res.status} ${await res.text()}`);
  expect(res.headers.get("content-type")).toBe("application/x-pcapng");
  const chunks: Buffer[] = [];
  const reader = res.body!.getReader();
  const ended = (async () => {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      chunks.push(Buffer.from(r.value));
    }
  })();
  return {
    id: res.headers.get("x-vpcemu-capture-id")!,
    agentId: res.headers.get("x-vpcemu-agent-id")!,
    bytes: () => Buffer.concat(chunks),
    ended,
  };
}

function rows(stream: Stream, name: string, fields: string[]): string[][] {
  const path = join(dir, name);
  writeFileSync(path, stream.bytes());
  return tsharkFields(path, fields);
}

const listed = async (): Promise<Array<{ captureId: string; packets: number }>> =>
  ((await (await fetch(`${h.ctl.url}/v1/captures`)).json()) as { captures: [] }).captures;

describe("POST /v1/captures", () => {
  it("streams db's packets with their verdicts until DELETE ends it (CAP-1, CAP-2, CAP-4)", async () => {
    requireTshark();
    const stream = await startCapture({ instance: topo.db.InstanceId, underlay: true });
    expect(stream.id).toMatch(/^cap-[0-9a-f]{16}$/);
    expect(stream.agentId).toBe("agent-db");
    const webIp = topo.web.PrivateIpAddress!;
    const dbIp = topo.db.PrivateIpAddress!;
    webTun.send(buildIcmpEcho({ src: webIp, dst: dbIp, id: 9, seq: 1 }));
    webTun.send(buildTcp({ src: webIp, dst: dbIp, srcPort: 40001, dstPort: 3306, flags: 0x02 }));
    // Both reached db's agent over the underlay and were judged there: 4 packets.
    await waitUntil(
      "four packets listed",
      async () => (await listed()).some((c) => c.captureId === stream.id && c.packets === 4),
      5000,
      20,
    );
    const del = await fetch(`${h.ctl.url}/v1/captures/${stream.id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    await stream.ended;
    expect(await listed()).toEqual([]);
    const got = rows(stream, "db.pcapng", ["frame.interface_name", "frame.comment", "ip.proto"]);
    const dbEni = topo.db.NetworkInterfaces![0]!.NetworkInterfaceId!;
    expect(got.filter((r) => r[0] === dbEni)).toEqual([
      [
        dbEni,
        expect.stringMatching(
          new RegExp(`^verdict=drop reason=sg_no_match dir=ingress groups=\\[${topo.dbSg}\\] `),
        ),
        "1",
      ],
      [
        dbEni,
        expect.stringMatching(/^verdict=accept reason=sg_rule dir=ingress sg_rule=sgr-/),
        "6",
      ],
    ]);
    expect(got.filter((r) => r[0] === "underlay").map((r) => r[1])).toEqual([
      "underlay in from=127.0.0.1:7301",
      "underlay in from=127.0.0.1:7301",
    ]);
  });

  it("is what 'vpcemu capture --endpoint URL' uses, with any controller", async () => {
    requireTshark();
    const file = join(dir, "cli.pcapng");
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      const unknown = await main(["capture", "--endpoint", h.ctl.url, "nosuch", "-w", file]);
      expect(unknown).toBe(1);
      expect(stderr.join("")).toBe(
        `vpcemu capture: unknown node 'nosuch' on ${h.ctl.url}: give an instance id (${topo.db.InstanceId}, ${topo.web.InstanceId}), an ENI id, an external node (none) or an agent id (agent-db, agent-web)\n`,
      );
      const dbEni = topo.db.NetworkInterfaces![0]!.NetworkInterfaceId!;
      const run = main(["capture", "--endpoint", h.ctl.url, dbEni, "-w", file, "-c", "1", "-q"]);
      await waitUntil(
        "the CLI's capture to run",
        async () => (await listed()).length === 1,
        5000,
        20,
      );
      webTun.send(
        buildIcmpEcho({
          src: topo.web.PrivateIpAddress!,
          dst: topo.db.PrivateIpAddress!,
          id: 9,
          seq: 3,
        }),
      );
      expect(await run).toBe(0);
      expect(tsharkFields(file, ["frame.interface_name", "icmp.type"])).toEqual([[dbEni, "8"]]);
    } finally {
      spy.mockRestore();
    }
  });

  it("stops the agent's capture when the client hangs up (CAP-4)", async () => {
    const abort = new AbortController();
    const res = await fetch(`${h.ctl.url}/v1/captures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ agent: "agent-db" }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect((await listed()).length).toBe(1);
    abort.abort();
    await waitUntil("the capture to end", async () => (await listed()).length === 0, 5000, 20);
  });

  it("ends the stream when the agent loses its controller connection (CAP-4)", async () => {
    const stream = await startCapture({ agent: "agent-web" });
    expect((await listed()).map((c) => c.captureId)).toEqual([stream.id]);
    await web.control.client.close();
    await stream.ended;
    expect(await listed()).toEqual([]);
  });

  it("refuses a target that is not connected, listing the agents (CAP-6)", async () => {
    const res = await fetch(`${h.ctl.url}/v1/captures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ agent: "agent-web" }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: "EMU_ERR_API_CAPTURE_TARGET",
      message: `No connected agent hosts agent 'agent-web'. Agents: agent-db (${topo.db.InstanceId}, ${topo.db.NetworkInterfaces![0]!.NetworkInterfaceId})`,
    });
  });
});
