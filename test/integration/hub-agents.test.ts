/**
 * Agent hub <-> ControllerClient over a real WebSocket on loopback with protobuf frames. The
 * store is an in-memory twin (test/helpers/fake-policy-source.ts) holding the seed state.
 *
 *   ControllerClient(agent-web) --ws--+
 *   ControllerClient(agent-db)  --ws--+--> node:http 127.0.0.1:<port> /v1/agents/ws --> AgentHub
 *   raw ws (malformed frames)   --ws--+                                                  |
 *                                                                  FakePolicySource (PolicyState)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { AGENT_WS_PATH, AgentHub, type KnownAgent } from "../../controller/hub/agent-hub.js";
import { deriveAgentKey } from "../../controller/hub/agent-keys.js";
import { encodeSnapshotFrame } from "../../controller/hub/wire.js";
import type { AgentSnapshot } from "../../node-agent/filter/policy.js";
import { ControllerClient } from "../../node-agent/control/controller-client.js";
import {
  decodeControllerFrame,
  encodeHelloFrame,
  type Hosting,
} from "../../node-agent/control/wire.js";
import type { PolicyState } from "../../controller/policy/policy-state.js";
import { FakePolicySource } from "../helpers/fake-policy-source.js";
import { ManualClock } from "../helpers/manual-clock.js";
import {
  DB1,
  SG_DB,
  SG_WEB,
  SUBNET_WEB,
  WEB1,
  eni,
  seedState,
} from "../unit/controller/policy/fixtures.js";

interface Harness {
  server: Server;
  hub: AgentHub;
  source: FakePolicySource;
  url: string;
}

const clients: ControllerClient[] = [];
let h: Harness;

async function startHub(
  opts: {
    joinToken?: string;
    heartbeatIntervalMs?: number;
    heartbeatTimeoutMs?: number;
    source?: FakePolicySource;
    placementGraceMs?: number;
    agentForgetMs?: number;
    maxAgents?: number;
    requireAgentKeys?: boolean;
    clock?: ManualClock;
  } = {},
) {
  const { source = new FakePolicySource(seedState(1)), ...rest } = opts;
  // Why one secret for every hub: a restarted controller keeps its secret (app.ts keeps it in
  // the state), so keys issued before the restart stay valid.
  const hub = new AgentHub({ source, agentSecret: TEST_AGENT_SECRET, ...rest, log: () => {} });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (req, socket, head) => {
    if (req.url === AGENT_WS_PATH) hub.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, hub, source, url: `ws://127.0.0.1:${port}${AGENT_WS_PATH}` };
}

async function stopHub(x: Harness): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await x.hub.close();
  await new Promise<void>((resolve) => x.server.close(() => resolve()));
}

function hosting(instanceIds: string[], endpoint: string, extra: Partial<Hosting> = {}): Hosting {
  return { instanceIds, eniIds: [], externals: [], underlayEndpoint: endpoint, ...extra };
}

const TEST_AGENT_SECRET = "hub-agents-test-agent-secret";
/** Keys the hubs issued, by agent id: a client started again with an id presents its key. */
const issuedKeys = new Map<string, string>();

/** A client that records every snapshot it swaps in. */
function agent(agentId: string, host: Hosting, joinToken?: string) {
  const snapshots: AgentSnapshot[] = [];
  const errors: string[] = [];
  const key = issuedKeys.get(agentId);
  const client = new ControllerClient({
    url: h.url,
    agentId,
    hosting: host,
    ...(joinToken !== undefined ? { joinToken } : {}),
    ...(key !== undefined ? { agentKey: key } : {}),
    onAgentKey: (k) => issuedKeys.set(agentId, k),
    backoffInitialMs: 20,
    backoffMaxMs: 100,
    onSnapshot: (s) => {
      snapshots.push(s);
    },
    onControllerError: (code) => errors.push(code),
    onConntrackRequest: (eniIds) => [
      {
        eniId: eniIds[0] ?? WEB1.eniId,
        instanceId: WEB1.instanceId!,
        entries: [
          {
            protocol: 6,
            original: { src: "198.51.100.10", srcPort: 40000, dst: "10.0.1.11", dstPort: 80 },
            reply: { src: "10.0.1.11", srcPort: 80, dst: "198.51.100.10", dstPort: 40000 },
            state: "ESTABLISHED",
            expiresAtMs: 1,
            packetsOriginal: 1,
            bytesOriginal: 60,
            packetsReply: 1,
            bytesReply: 60,
            ruleId: "sgr-x",
            direction: "ingress",
          },
        ],
      },
    ],
  });
  clients.push(client);
  client.start();
  return { client, snapshots, errors };
}

function withWeb2(revision: number): PolicyState {
  return seedState(revision, [WEB1, DB1, eni(3, SUBNET_WEB, [SG_WEB])]);
}

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A raw WebSocket to the hub; resolves its close code. */
function rawSocket(url: string): { ws: WebSocket; closed: Promise<number>; frames: Uint8Array[] } {
  const ws = new WebSocket(url);
  const frames: Uint8Array[] = [];
  ws.on("message", (d: Buffer) => frames.push(new Uint8Array(d)));
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  return { ws, closed, frames };
}

describe("AgentHub with ControllerClient", () => {
  beforeEach(async () => {
    h = await startHub();
  });
  afterEach(async () => {
    await stopHub(h);
  });

  it("answers Hello with the agent's compiled snapshot and tracks the enforced revision", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await web.client.enforced(1);
    expect(web.snapshots[0]!.agentId).toBe("agent-web");
    expect(web.snapshots[0]!.enis.map((e) => e.eniId)).toEqual([WEB1.eniId]);
    await h.hub.waitForEnforced(1, 2000);
    expect(h.hub.agents()).toMatchObject([
      {
        agentId: "agent-web",
        connected: true,
        endpoint: "127.0.0.1:7001",
        eniIds: [WEB1.eniId],
        enforcedRevision: 1,
      },
    ]);
  });

  it("pushes a store change only to agents whose snapshot changed, and waits for their acks", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    const db = agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    await h.hub.waitForEnforced(1, 2000);
    const settled = (snaps: AgentSnapshot[]) =>
      snaps.at(-1)?.mapping.every((m) => m.endpoint !== "") === true;
    await until(() => settled(web.snapshots) && settled(db.snapshots), "mapping endpoints settled");
    const webCount = web.snapshots.length;
    const dbCount = db.snapshots.length;
    // A rule change in db-sg: only db's ENI recompiles, the mapping is untouched.
    const s1 = seedState(2);
    h.source.commit(
      {
        ...s1,
        securityGroups: s1.securityGroups.map((g) =>
          g.groupId === SG_DB
            ? {
                ...g,
                rules: [
                  ...g.rules,
                  {
                    ruleId: "sgr-dns",
                    groupId: SG_DB,
                    isEgress: false,
                    protocol: "17",
                    fromPort: 53,
                    toPort: 53,
                    cidrIpv4: "10.0.0.0/16",
                  },
                ],
              }
            : g,
        ),
      },
      { groupIds: [SG_DB] },
    );
    await h.hub.waitForEnforced(2, 2000);
    expect(db.snapshots.length).toBe(dbCount + 1);
    expect(db.snapshots.at(-1)!.enis[0]!.ingress.some((r) => r.ruleId === "sgr-dns")).toBe(true);
    // The mapping was not resent (reuse_mapping); the client still hands over the whole table.
    expect(db.snapshots.at(-1)!.mapping).toEqual(db.snapshots.at(-2)!.mapping);
    expect(db.snapshots.at(-1)!.mapping).toHaveLength(2);
    expect(web.snapshots.length).toBe(webCount);
    // web enforces revision 2 without a push: its snapshot is the same at revision 2.
    expect(h.hub.enforcedRevision("agent-web")).toBe(2);
  });

  it("updates db's rule when an instance joins web-sg with no rule change (REF-2)", async () => {
    const db = agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    await db.client.enforced(1);
    h.source.commit(withWeb2(2), {
      eniIds: ["eni-00000000000000003"],
      instanceIds: ["i-00000000000000003"],
    });
    await db.client.enforced(2);
    const ref = db.snapshots.at(-1)!.enis[0]!.ingress.find((r) => r.peer.kind === "sg")!;
    expect(ref.cidrs).toEqual(["10.0.1.11/32", "10.0.1.13/32"]);
  });

  it("gives every agent the other agents' endpoints in the mapping table", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    const inet = agent(
      "agent-internet",
      hosting([], "127.0.0.1:7000", {
        externals: [{ name: "internet", address: "198.51.100.10" }],
      }),
    );
    await until(
      () =>
        web.snapshots
          .at(-1)
          ?.mapping.some((m) => m.address === "198.51.100.10" && m.endpoint !== "") === true,
      "internet in web's mapping",
    );
    expect(web.snapshots.at(-1)!.mapping).toContainEqual({
      address: "198.51.100.10",
      eniId: "",
      subnetId: "internet",
      vpcId: "",
      agentId: "agent-internet",
      endpoint: "127.0.0.1:7000",
    });
    await until(
      () =>
        inet.snapshots
          .at(-1)
          ?.mapping.some((m) => m.address === "10.0.1.11" && m.endpoint === "127.0.0.1:7001") ===
        true,
      "web in internet's mapping",
    );
    expect(inet.snapshots.at(-1)!.enis).toEqual([]);
  });

  it("picks up an instance an agent announces after it connected (Hosting frame)", async () => {
    const web = agent("agent-web", hosting([], "127.0.0.1:7001"));
    await web.client.enforced(1);
    expect(web.snapshots.at(-1)!.enis).toEqual([]);
    h.source.commit(withWeb2(2), {
      eniIds: ["eni-00000000000000003"],
      instanceIds: ["i-00000000000000003"],
    });
    await web.client.enforced(2);
    web.client.setHosting(hosting(["i-00000000000000003"], "127.0.0.1:7001"));
    await until(() => web.snapshots.at(-1)!.enis.length === 1, "the announced instance's ENI");
    expect(web.snapshots.at(-1)!.enis[0]!.eniId).toBe("eni-00000000000000003");
    await h.hub.waitForEnforced(2, 2000);
  });

  it("resyncs a reconnecting agent with the current snapshot, changes made while away included", async () => {
    const db = agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    await db.client.enforced(1);
    expect(db.client.connectionCount()).toBe(1);
    // Cut the agent's socket from the controller side.
    for (const s of (h.hub as unknown as { sessions: Set<{ ws: WebSocket }> }).sessions)
      s.ws.terminate();
    await until(() => db.client.connectionState() !== "connected", "the client to notice");
    h.source.commit(withWeb2(2), {
      eniIds: ["eni-00000000000000003"],
      instanceIds: ["i-00000000000000003"],
    });
    await db.client.enforced(2);
    expect(db.client.connectionCount()).toBe(2);
    expect(db.snapshots.at(-1)!.revision).toBe(2);
    await h.hub.waitForEnforced(2, 2000);
    expect(h.hub.agents()[0]).toMatchObject({
      agentId: "agent-db",
      connected: true,
      enforcedRevision: 2,
    });
  });

  it("keeps a disconnected agent's last endpoint in its peers' mapping until a connected agent takes its instance over", async () => {
    // Why no grace: the instance moves to another agent as soon as db is gone (by default db
    // would keep it for placementGraceMs).
    await stopHub(h);
    h = await startHub({ placementGraceMs: 0 });
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    const db = agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    const dbEntry = (s: AgentSnapshot | undefined) => s?.mapping.find((m) => m.eniId === DB1.eniId);
    await until(
      () => dbEntry(web.snapshots.at(-1))?.endpoint === "127.0.0.1:7002",
      "db's endpoint in web's mapping",
    );
    // db's control connection goes away (controller restart, backoff): its data plane still
    // runs, so web must keep routing to it and accepting its packets.
    await db.client.close();
    await until(
      () => h.hub.agents().some((a) => a.agentId === "agent-db" && !a.connected),
      "db to be seen gone",
    );
    // A store change recompiles with db disconnected and pushes web a new mapping (ENI 3 added).
    h.source.commit(withWeb2(2), {
      eniIds: ["eni-00000000000000003"],
      instanceIds: ["i-00000000000000003"],
    });
    await web.client.enforced(2);
    expect(web.snapshots.at(-1)!.revision).toBe(2);
    expect(dbEntry(web.snapshots.at(-1))).toMatchObject({
      agentId: "agent-db",
      endpoint: "127.0.0.1:7002",
    });
    expect(h.hub.agents().find((a) => a.agentId === "agent-db")).toMatchObject({
      connected: false,
      endpoint: "127.0.0.1:7002",
    });

    // The instance moves to another agent (larger id, but connected): its endpoint replaces the
    // stale one and the disconnected agent forgets the instance.
    const db2 = agent("agent-db2", hosting([DB1.instanceId!], "127.0.0.1:7012"));
    await until(
      () => dbEntry(web.snapshots.at(-1))?.endpoint === "127.0.0.1:7012",
      "db2's endpoint in web's mapping",
    );
    expect(dbEntry(web.snapshots.at(-1))!.agentId).toBe("agent-db2");
    expect(h.hub.agents().find((a) => a.agentId === "agent-db")!.instanceIds).toEqual([]);
    await until(() => db2.snapshots.at(-1)?.enis.length === 1, "db2 to host db's ENI");

    // When the new host disconnects too, the mapping keeps the new host, not the stale one.
    await db2.client.close();
    await until(
      () => h.hub.agents().some((a) => a.agentId === "agent-db2" && !a.connected),
      "db2 to be seen gone",
    );
    h.source.commit(seedState(3, [WEB1, DB1]), {
      eniIds: ["eni-00000000000000003"],
      instanceIds: ["i-00000000000000003"],
    });
    await web.client.enforced(3);
    expect(dbEntry(web.snapshots.at(-1))).toMatchObject({
      agentId: "agent-db2",
      endpoint: "127.0.0.1:7012",
    });
  });

  it("closes only the connection that sent a malformed frame", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await web.client.enforced(1);
    const bad = rawSocket(h.url);
    await new Promise((r) => bad.ws.once("open", r));
    bad.ws.send(
      encodeHelloFrame({
        agentId: "agent-bad",
        joinToken: "",
        hosting: hosting([DB1.instanceId!], "127.0.0.1:7009"),
        version: "x",
        enforcedRevision: 0,
      }),
    );
    await until(() => bad.frames.length > 0, "bad agent's snapshot");
    bad.ws.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(await bad.closed).toBe(4400);
    const last = decodeControllerFrame(bad.frames.at(-1)!);
    expect(last).toMatchObject({ kind: "error", code: "EMU_ERR_HUB_BAD_FRAME" });
    // The healthy agent is still connected and still receives pushes.
    h.source.commit(withWeb2(2), {
      eniIds: ["eni-00000000000000003"],
      instanceIds: ["i-00000000000000003"],
    });
    await web.client.enforced(2);
    expect(web.client.connectionCount()).toBe(1);
    expect(h.hub.agents().find((a) => a.agentId === "agent-web")!.connected).toBe(true);
    expect(h.hub.agents().find((a) => a.agentId === "agent-bad")!.connected).toBe(false);
  });

  it("survives a compile that throws: logs it and recovers by recompiling everything", async () => {
    const db = agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    await db.client.enforced(1);
    const read = h.source.readPolicyState.bind(h.source);
    let fail = true;
    h.source.readPolicyState = () => {
      if (fail) {
        fail = false;
        throw new Error("injected compile failure");
      }
      return read();
    };
    h.source.commit(withWeb2(2), { eniIds: ["eni-00000000000000003"] });
    // The failed compile is retried from scratch (full recompile), without a new change.
    await h.hub.waitForEnforced(2, 5000);
    expect(fail).toBe(false);
    await db.client.enforced(2);
    const ref = db.snapshots.at(-1)!.enis[0]!.ingress.find((r) => r.peer.kind === "sg")!;
    expect(ref.cidrs).toEqual(["10.0.1.11/32", "10.0.1.13/32"]);
  });

  it("closes a connection whose first frame is not Hello", async () => {
    const bad = rawSocket(h.url);
    await new Promise((r) => bad.ws.once("open", r));
    bad.ws.send(encodeSnapshotFrame({ revision: 1, agentId: "x", enis: [], mapping: [] }));
    expect(await bad.closed).toBe(4400);
  });

  it("refreshes a conntrack report on request", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await web.client.enforced(1);
    const report = await h.hub.requestConntrack("agent-web", [WEB1.eniId], 2000);
    expect(report!.enis[0]!.entries[0]).toMatchObject({ state: "ESTABLISHED", ruleId: "sgr-x" });
    expect(h.hub.conntrackOf(WEB1.eniId)).toMatchObject({ agentId: "agent-web" });
  });

  it("stores counters and flow logs agents send", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await web.client.enforced(1);
    web.client.sendCounters({
      takenAtMs: 1,
      enis: [
        {
          eniId: WEB1.eniId,
          instanceId: WEB1.instanceId!,
          drops: { sg_no_match: 3 },
          conntrackAllowanceExceeded: 0,
          conntrackAllowanceAvailable: 65536,
          bwInAllowanceExceeded: 0,
          bwOutAllowanceExceeded: 0,
          ppsAllowanceExceeded: 0,
          linklocalAllowanceExceeded: 0,
          packetsAccepted: 9,
        },
      ],
    });
    web.client.sendFlowLogs([
      { eniId: WEB1.eniId, line: "2 123456789012 eni-x - - - - - - - 1 2 - NODATA" },
    ]);
    await until(() => h.hub.reports.flowLogsOf(WEB1.eniId).length === 1, "flow log stored");
    expect(h.hub.reports.countersOf(WEB1.eniId)!.counters.drops).toEqual({ sg_no_match: 3 });
  });
});

/** A policy source that also keeps the hub's known agents, as a persistent store would. */
class PersistingSource extends FakePolicySource {
  saved: readonly KnownAgent[] = [];
  saves = 0;
  loadAgents(): readonly KnownAgent[] {
    return JSON.parse(JSON.stringify(this.saved)) as KnownAgent[];
  }
  saveAgents(agents: readonly KnownAgent[]): void {
    this.saved = JSON.parse(JSON.stringify(agents)) as KnownAgent[];
    this.saves++;
  }
}

describe("AgentHub across a controller restart (known agents saved in the source)", () => {
  afterEach(async () => {
    await stopHub(h);
  });

  it("saves the agents it knows and what they host, only when that changes", async () => {
    const source = new PersistingSource(seedState(1));
    h = await startHub({ source });
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    const db = agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    await Promise.all([web.client.enforced(1), db.client.enforced(1)]);
    await until(() => source.saved.length === 2, "both agents saved");
    expect(source.saved).toEqual([
      { agentId: "agent-db", hosting: hosting([DB1.instanceId!], "127.0.0.1:7002") },
      { agentId: "agent-web", hosting: hosting([WEB1.instanceId!], "127.0.0.1:7001") },
    ]);
    const saves = source.saves;
    source.commit(withWeb2(2), { eniIds: ["eni-00000000000000003"] });
    await h.hub.waitForEnforced(2, 2000);
    expect(source.saves).toBe(saves);
  });

  it("gives the first agent to reconnect the last endpoint of a peer still away", async () => {
    const source = new PersistingSource(seedState(1));
    h = await startHub({ source });
    const web1 = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    const db1 = agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    await Promise.all([web1.client.enforced(1), db1.client.enforced(1)]);
    await until(() => source.saved.length === 2, "both agents saved");
    await stopHub(h); // closes both clients too

    // The controller restarts; only web reconnects, db is still in its reconnect backoff.
    h = await startHub({ source });
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await web.client.enforced(1);
    expect(web.snapshots[0]!.mapping.find((m) => m.eniId === DB1.eniId)).toMatchObject({
      agentId: "agent-db",
      endpoint: "127.0.0.1:7002",
    });
    expect(h.hub.agents().map((a) => [a.agentId, a.connected, a.endpoint])).toEqual([
      ["agent-db", false, "127.0.0.1:7002"],
      ["agent-web", true, "127.0.0.1:7001"],
    ]);
    // Enforcement counts connected agents only: the restored one does not hold it up.
    await h.hub.waitForEnforced(1, 2000);
    // db comes back on another port: its new endpoint replaces the saved one everywhere.
    agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7102"));
    await until(
      () =>
        web.snapshots.at(-1)?.mapping.find((m) => m.eniId === DB1.eniId)?.endpoint ===
        "127.0.0.1:7102",
      "db's new endpoint in web's mapping",
    );
    await until(
      () =>
        source.saved.find((k) => k.agentId === "agent-db")?.hosting.underlayEndpoint ===
        "127.0.0.1:7102",
      "db's new endpoint saved",
    );
  });

  it("ignores saved rows it cannot use", async () => {
    const source = new PersistingSource(seedState(1));
    source.saved = [
      { agentId: "bad id!", hosting: hosting([], "127.0.0.1:1") },
      { agentId: "agent-x", hosting: { instanceIds: "nope" } as unknown as Hosting },
      { agentId: "agent-db", hosting: hosting([DB1.instanceId!], "127.0.0.1:7002") },
    ];
    h = await startHub({ source });
    expect(h.hub.agents().map((a) => a.agentId)).toEqual(["agent-db"]);
    expect(h.hub.snapshotOf("agent-db")!.enis.map((e) => e.eniId)).toEqual([DB1.eniId]);
  });
});

describe("AgentHub join token", () => {
  beforeEach(async () => {
    h = await startHub({ joinToken: "s3cret" });
  });
  afterEach(async () => {
    await stopHub(h);
  });

  it("rejects a Hello with a wrong or missing token and closes that connection", async () => {
    const wrong = agent("agent-a", hosting([WEB1.instanceId!], "127.0.0.1:7001"), "nope");
    const missing = agent("agent-b", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    await until(() => wrong.errors.length > 0 && missing.errors.length > 0, "join-token errors");
    expect(wrong.errors[0]).toBe("EMU_ERR_HUB_JOIN_TOKEN");
    expect(missing.errors[0]).toBe("EMU_ERR_HUB_JOIN_TOKEN");
    expect(wrong.snapshots).toEqual([]);
    expect(h.hub.agents()).toEqual([]);
  });

  it("accepts the right token", async () => {
    const ok = agent("agent-a", hosting([WEB1.instanceId!], "127.0.0.1:7001"), "s3cret");
    await ok.client.enforced(1);
    expect(ok.snapshots[0]!.enis).toHaveLength(1);
  });
});

describe("AgentHub heartbeats", () => {
  beforeEach(async () => {
    h = await startHub({ heartbeatIntervalMs: 50, heartbeatTimeoutMs: 300 });
  });
  afterEach(async () => {
    await stopHub(h);
  });

  it("drops an agent that stops talking, keeps one that answers heartbeats", async () => {
    const live = agent("agent-live", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await live.client.enforced(1);
    const silent = rawSocket(h.url);
    await new Promise((r) => silent.ws.once("open", r));
    silent.ws.send(
      encodeHelloFrame({
        agentId: "agent-silent",
        joinToken: "",
        hosting: hosting([], "127.0.0.1:7003"),
        version: "x",
        enforcedRevision: 0,
      }),
    );
    expect(await silent.closed).toBe(4504);
    expect(h.hub.agents().find((a) => a.agentId === "agent-live")!.connected).toBe(true);
    expect(h.hub.agents().find((a) => a.agentId === "agent-silent")!.connected).toBe(false);
  });
});

/** Hello from a raw socket (no ControllerClient): resolves the close code and the frames seen. */
async function rawHello(
  agentId: string,
  host: Hosting,
  agentKey = "",
): Promise<{ code: number; kinds: string[]; errors: string[] }> {
  const raw = rawSocket(h.url);
  await new Promise<void>((resolve) => raw.ws.on("open", () => resolve()));
  raw.ws.send(
    encodeHelloFrame({
      agentId,
      joinToken: "",
      hosting: host,
      version: "x",
      enforcedRevision: 0,
      agentKey,
    }),
  );
  const code = await raw.closed;
  const decoded = raw.frames.map((f) => decodeControllerFrame(f));
  return {
    code,
    kinds: decoded.map((f) => f.kind),
    errors: decoded.flatMap((f) => (f.kind === "error" ? [f.code] : [])),
  };
}

describe("AgentHub agent identity (docs/agent.md 'Agent identity', issue 14)", () => {
  beforeEach(async () => {
    h = await startHub();
  });
  afterEach(async () => {
    await stopHub(h);
  });

  it("refuses a second Hello with an agent's id and no or a wrong key; the agent keeps its connection and policy", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await web.client.enforced(1);
    expect(issuedKeys.get("agent-web")).toMatch(/^[0-9a-f]{64}$/);
    for (const key of ["", "0".repeat(64)]) {
      const evil = await rawHello("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:6666"), key);
      expect(evil.code).toBe(4403);
      expect(evil.errors).toEqual(["EMU_ERR_HUB_AGENT_KEY"]);
      // Neither its policy nor the mapping table (every agent's endpoint) reached the impostor.
      expect(evil.kinds).not.toContain("snapshot");
    }
    expect(web.client.connectionState()).toBe("connected");
    expect(web.client.connectionCount()).toBe(1);
    expect(h.hub.agents()).toMatchObject([
      { agentId: "agent-web", connected: true, endpoint: "127.0.0.1:7001" },
    ]);
    h.source.commit(withWeb2(2), { eniIds: ["eni-00000000000000003"] });
    await web.client.enforced(2);
    expect(web.snapshots.at(-1)!.enis.map((e) => e.eniId)).toEqual([WEB1.eniId]);
  });

  it("lets the holder of the key replace its own session", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await web.client.enforced(1);
    const again = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7101"));
    await again.client.enforced(1);
    await until(() => web.errors.includes("EMU_ERR_HUB_REPLACED"), "the old session replaced");
    expect(h.hub.agents()).toMatchObject([{ agentId: "agent-web", endpoint: "127.0.0.1:7101" }]);
  });

  it("keeps an ENI with the agent holding it when another agent announces its instance or ENI", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    const db = agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    await Promise.all([web.client.enforced(1), db.client.enforced(1)]);
    // "0-evil" sorts first: before, the smaller id won the claim.
    const evil = agent(
      "0-evil",
      hosting([DB1.instanceId!], "127.0.0.1:6666", { eniIds: [DB1.eniId] }),
    );
    await evil.client.enforced(1);
    h.hub.compileNow();
    expect(evil.snapshots.at(-1)!.enis).toEqual([]);
    expect(h.hub.hostOfEni(DB1.eniId)).toBe("agent-db");
    expect(h.hub.snapshotOf("agent-db")!.enis.map((e) => e.eniId)).toEqual([DB1.eniId]);
    // Traffic for db's ENI still goes to db.
    h.source.commit(withWeb2(2), { eniIds: ["eni-00000000000000003"] });
    await web.client.enforced(2);
    expect(web.snapshots.at(-1)!.mapping.find((m) => m.eniId === DB1.eniId)).toMatchObject({
      agentId: "agent-db",
      endpoint: "127.0.0.1:7002",
    });
    // The impostor leaving changes nothing either.
    await evil.client.close();
    await until(
      () => h.hub.agents().some((a) => a.agentId === "0-evil" && !a.connected),
      "evil gone",
    );
    expect(h.hub.hostOfEni(DB1.eniId)).toBe("agent-db");
  });

  it("drops and counts report entries for ENIs the agent does not host", async () => {
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    const db = agent("agent-db", hosting([DB1.instanceId!], "127.0.0.1:7002"));
    const nobody = agent("agent-nobody", hosting([], "127.0.0.1:7003"));
    await Promise.all([web.client.enforced(1), db.client.enforced(1), nobody.client.enforced(1)]);
    const entry = {
      protocol: 6,
      original: { src: "198.51.100.10", srcPort: 40000, dst: "10.0.2.20", dstPort: 3306 },
      reply: { src: "10.0.2.20", srcPort: 3306, dst: "198.51.100.10", dstPort: 40000 },
      state: "ESTABLISHED",
      expiresAtMs: 1,
      packetsOriginal: 1,
      bytesOriginal: 60,
      packetsReply: 1,
      bytesReply: 60,
      ruleId: "sgr-fake",
      direction: "ingress",
    };
    nobody.client.sendConntrackReport({
      requestId: "",
      takenAtMs: 1,
      enis: [{ eniId: DB1.eniId, instanceId: DB1.instanceId!, entries: [entry] }],
    });
    nobody.client.sendFlowLogs([
      { eniId: DB1.eniId, line: "2 123 eni-x - - - - - - - 1 2 - NODATA" },
    ]);
    nobody.client.sendCounters({
      takenAtMs: 1,
      enis: [
        {
          eniId: DB1.eniId,
          instanceId: DB1.instanceId!,
          drops: { sg_no_match: 99 },
          conntrackAllowanceExceeded: 0,
          conntrackAllowanceAvailable: 0,
          bwInAllowanceExceeded: 0,
          bwOutAllowanceExceeded: 0,
          ppsAllowanceExceeded: 0,
          linklocalAllowanceExceeded: 0,
          packetsAccepted: 0,
        },
      ],
    });
    const forged = () =>
      h.hub.agents().find((a) => a.agentId === "agent-nobody")!.forgedReportEntries;
    await until(() => forged() === 3, "three forged entries counted");
    expect(h.hub.conntrackOf(DB1.eniId)).toBeUndefined();
    expect(h.hub.reports.countersOf(DB1.eniId)).toBeUndefined();
    expect(h.hub.reports.flowLogsOf(DB1.eniId)).toEqual([]);
    // The host's own report is kept.
    db.client.sendConntrackReport({
      requestId: "",
      takenAtMs: 2,
      enis: [{ eniId: DB1.eniId, instanceId: DB1.instanceId!, entries: [entry] }],
    });
    await until(() => h.hub.conntrackOf(DB1.eniId) !== undefined, "db's report stored");
    expect(h.hub.conntrackOf(DB1.eniId)!.agentId).toBe("agent-db");
  });
});

describe("AgentHub with agent credentials configured by the runtime", () => {
  beforeEach(async () => {
    h = await startHub({ requireAgentKeys: true });
  });
  afterEach(async () => {
    await stopHub(h);
  });

  it("refuses a stranger without a key on loopback and admits the agent the runtime gave its key", async () => {
    const stranger = await rawHello("agent-x", hosting([WEB1.instanceId!], "127.0.0.1:6666"));
    expect(stranger.code).toBe(4403);
    expect(stranger.errors).toEqual(["EMU_ERR_HUB_AGENT_KEY"]);
    expect(h.hub.agents()).toEqual([]);
    issuedKeys.set("agent-web", deriveAgentKey(TEST_AGENT_SECRET, "agent-web"));
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await web.client.enforced(1);
    expect(web.snapshots[0]!.enis.map((e) => e.eniId)).toEqual([WEB1.eniId]);
  });
});

describe("AgentHub limits (docs/agent.md 'Limits')", () => {
  afterEach(async () => {
    await stopHub(h);
  });

  it("forgets disconnected agents after the forget time and refuses new ones beyond the limit", async () => {
    const clock = new ManualClock(Date.now());
    h = await startHub({ clock, agentForgetMs: 60_000, maxAgents: 5, heartbeatIntervalMs: 20 });
    for (let i = 0; i < 5; i++) {
      const a = agent(`agent-${i}`, hosting([], `127.0.0.1:${7000 + i}`));
      await a.client.enforced(1);
      await a.client.close();
    }
    await until(() => h.hub.agents().every((a) => !a.connected), "all five gone");
    const refused = await rawHello("agent-5", hosting([], "127.0.0.1:7005"));
    expect(refused.code).toBe(4429);
    expect(refused.errors).toEqual(["EMU_ERR_HUB_TOO_MANY_AGENTS"]);
    expect(h.hub.agents()).toHaveLength(5);
    clock.advance(60_001);
    await until(() => h.hub.agents().length === 0, "the five forgotten");
    for (let i = 5; i < 105; i++) {
      const raw = rawSocket(h.url);
      await new Promise<void>((resolve) => raw.ws.on("open", () => resolve()));
      raw.ws.send(
        encodeHelloFrame({
          agentId: `agent-${i}`,
          joinToken: "",
          hosting: hosting([], "127.0.0.1:1"),
          version: "x",
          enforcedRevision: 0,
        }),
      );
      raw.ws.close();
      await raw.closed;
      if (i % 20 === 0) clock.advance(60_001);
    }
    clock.advance(60_001);
    await until(() => h.hub.agents().length === 0, "every disconnected agent forgotten");
  });

  it("refuses an oversized report with a coded, non-fatal error", async () => {
    h = await startHub();
    const web = agent("agent-web", hosting([WEB1.instanceId!], "127.0.0.1:7001"));
    await web.client.enforced(1);
    const records = Array.from({ length: 50_001 }, () => ({ eniId: WEB1.eniId, line: "x" }));
    web.client.sendFlowLogs(records);
    // 9 MiB in one frame: over maxReportBytes (8 MiB), under the WebSocket's 16 MiB.
    const huge = "x".repeat(9 * 1024 * 1024);
    web.client.sendFlowLogs([{ eniId: WEB1.eniId, line: huge }]);
    const info = () => h.hub.agents().find((a) => a.agentId === "agent-web")!;
    await until(() => web.errors.length === 2, "two reports refused");
    expect(info().refusedReports).toBe(2);
    expect(web.errors).toEqual(["EMU_ERR_HUB_REPORT_TOO_LARGE", "EMU_ERR_HUB_REPORT_TOO_LARGE"]);
    expect(h.hub.reports.flowLogsOf(WEB1.eniId)).toEqual([]);
    expect(web.client.connectionState()).toBe("connected");
    expect(web.client.connectionCount()).toBe(1);
  });
});
