/**
 * Verdict traces through the real controller and two in-process agents (FakeTun, MemoryBus):
 * POST /v1/traces starts a trace on the agents hosting the ENIs (hub frame TraceControl), the
 * agents stream their verdict events (VerdictEvents), GET /v1/traces/{id}/events pages them
 * (docs/json-api.md `/v1/traces`; docs/observability.md VE-1..VE-3), DELETE stops it; bad input
 * gets the catalogue's errors. The harness: test/helpers/in-process-agents.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import {
  createWebDbTopology,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import { buildTcp } from "../helpers/packet-builder.js";
import { waitUntil } from "../helpers/wait-until.js";

let h: TestController;
let ctl: StartedController;
const ids = { webI: "", dbI: "", webEni: "", dbEni: "", dbSg: "", webSg: "" };
let webIp = "";
let dbIp = "";
let webTun: FakeTun;
let dbTun: FakeTun;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function api(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(new URL(path, ctl.ec2Endpoint), {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

type Ev = Record<string, unknown>;

/** Pages through the trace until `done(events)` holds; returns every event read. */
async function eventsUntil(traceId: string, done: (events: Ev[]) => boolean): Promise<Ev[]> {
  const all: Ev[] = [];
  let since = 1;
  await waitUntil(
    "the trace's events",
    async () => {
      const r = await api("GET", `/v1/traces/${traceId}/events?since=${since}`);
      expect(r.status).toBe(200);
      all.push(...(r.body.events as Ev[]));
      since = r.body.next as number;
      return done(all);
    },
    5000,
    20,
  );
  return all;
}

beforeAll(async () => {
  h = await startTestController();
  ctl = h.ctl;
  const t = await createWebDbTopology(h.ec2);
  webIp = t.web.PrivateIpAddress!;
  dbIp = t.db.PrivateIpAddress!;
  ids.webI = t.web.InstanceId!;
  ids.dbI = t.db.InstanceId!;
  ids.webEni = t.web.NetworkInterfaces![0]!.NetworkInterfaceId!;
  ids.dbEni = t.db.NetworkInterfaces![0]!.NetworkInterfaceId!;
  ids.dbSg = t.dbSg;
  ids.webSg = t.webSg;
  const a = await h.startAgent({
    agentId: "agent-web",
    instanceIds: [ids.webI],
    endpoint: "127.0.0.1:7401",
  });
  const b = await h.startAgent({
    agentId: "agent-db",
    instanceIds: [ids.dbI],
    endpoint: "127.0.0.1:7402",
  });
  await h.enforced();
  webTun = await a.tuns.tun(ids.webEni);
  dbTun = await b.tuns.tun(ids.dbEni);
});

afterAll(async () => {
  await h?.stop();
});

const syn = (src: string, dst: string, sport: number, dport: number) =>
  buildTcp({ src, dst, srcPort: sport, dstPort: dport, flags: TcpFlag.SYN, seq: 1 });

describe("verdict traces (POST /v1/traces, GET /v1/traces/{id}/events)", () => {
  it("streams accepts naming the SG rule and NACL entry, and an SG drop naming the groups (VE-2, VE-3)", async () => {
    const created = await api("POST", "/v1/traces", {
      enis: [ids.webEni, ids.dbEni],
      durationSeconds: 60,
    });
    expect(created.status).toBe(201);
    const traceId = created.body.traceId as string;
    expect(traceId).toMatch(/^tr-[0-9a-f]{17}$/);
    expect(created.body).toMatchObject({
      enis: [ids.webEni, ids.dbEni],
      agents: ["agent-web", "agent-db"],
      finished: false,
    });
    expect(Date.parse(created.body.expiresAt as string)).toBeGreaterThan(Date.now() + 50_000);

    webTun.send(syn(webIp, dbIp, 41000, 3306));
    await dbTun.nextReceived();
    webTun.send(syn(webIp, dbIp, 41001, 22));
    const events = await eventsUntil(traceId, (ev) => ev.some((e) => e.reason === "sg_no_match"));
    const allowed = events.filter((e) => e.srcPort === 41000);
    expect(allowed).toEqual([
      expect.objectContaining({
        eniId: ids.webEni,
        direction: "egress",
        verdict: "accept",
        reason: "sg_rule",
        sgRuleId: expect.stringMatching(/^sgr-/),
        naclId: expect.stringMatching(/^acl-/),
        naclRuleNumber: 100,
        conntrack: "new",
        protocol: 6,
        src: webIp,
        dst: dbIp,
        dstPort: 3306,
        length: 40,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
      expect.objectContaining({
        eniId: ids.dbEni,
        direction: "ingress",
        verdict: "accept",
        reason: "sg_rule",
        sgRuleId: expect.stringMatching(/^sgr-/),
        naclRuleNumber: 100,
        conntrack: "new",
      }),
    ]);
    const dropped = events.find((e) => e.srcPort === 41001 && e.verdict === "drop")!;
    expect(dropped).toMatchObject({
      eniId: ids.dbEni,
      direction: "ingress",
      reason: "sg_no_match",
      noMatchGroups: [ids.dbSg],
      conntrack: "none",
    });
    // Sequence numbers count from 1 in arrival order; `next` follows the last one read.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const later = await api("GET", `/v1/traces/${traceId}/events?since=${events.length + 1}`);
    expect(later.body).toMatchObject({
      events: [],
      next: events.length + 1,
      lost: 0,
      finished: false,
    });

    expect((await api("DELETE", `/v1/traces/${traceId}`)).body).toEqual({ traceId, deleted: true });
    const gone = await api("GET", `/v1/traces/${traceId}/events`);
    expect(gone).toEqual({
      status: 404,
      body: { code: "EMU_ERR_API_TRACE_NOT_FOUND", message: `No trace '${traceId}'.` },
    });
  });

  it("traces an instance's ENIs and keeps only events matching the filter", async () => {
    const created = await api("POST", "/v1/traces", {
      instances: [ids.dbI],
      durationSeconds: 30,
      filter: { verdict: "drop", port: 22 },
    });
    expect(created.status).toBe(201);
    expect(created.body.enis).toEqual([ids.dbEni]);
    const traceId = created.body.traceId as string;
    webTun.send(syn(webIp, dbIp, 41010, 3306));
    await dbTun.nextReceived();
    webTun.send(syn(webIp, dbIp, 41011, 22));
    const events = await eventsUntil(traceId, (ev) => ev.length >= 1);
    expect(events.map((e) => [e.eniId, e.verdict, e.reason, e.srcPort])).toEqual([
      [ids.dbEni, "drop", "sg_no_match", 41011],
    ]);
    await api("DELETE", `/v1/traces/${traceId}`);
  });

  it("refuses bad input with the catalogue's errors", async () => {
    const cases: [unknown, number, string, RegExp][] = [
      [
        { enis: [ids.webEni], durationSeconds: 0 },
        400,
        "EMU_ERR_API_TRACE_INVALID",
        /durationSeconds.*1 to 3600, got 0/,
      ],
      [{ enis: [ids.webEni], durationSeconds: 3601 }, 400, "EMU_ERR_API_TRACE_INVALID", /got 3601/],
      [{ enis: [ids.webEni], durationSeconds: 1.5 }, 400, "EMU_ERR_API_TRACE_INVALID", /got 1.5/],
      [{ enis: [ids.webEni] }, 400, "EMU_ERR_API_TRACE_INVALID", /got none/],
      [{ durationSeconds: 5 }, 400, "EMU_ERR_API_TRACE_INVALID", /exactly one of 'enis'/],
      [
        { enis: [ids.webEni], instances: [ids.webI], durationSeconds: 5 },
        400,
        "EMU_ERR_API_TRACE_INVALID",
        /exactly one/,
      ],
      [
        { enis: ["web"], durationSeconds: 5 },
        400,
        "EMU_ERR_API_TRACE_INVALID",
        /"web", not an id like 'eni-/,
      ],
      [{ enis: [], durationSeconds: 5 }, 400, "EMU_ERR_API_TRACE_INVALID", /non-empty array/],
      [
        { enis: [ids.webEni], durationSeconds: 5, filter: { verdict: "maybe" } },
        400,
        "EMU_ERR_API_TRACE_INVALID",
        /filter.verdict/,
      ],
      [
        { enis: [ids.webEni], durationSeconds: 5, colour: 1 },
        400,
        "EMU_ERR_API_TRACE_INVALID",
        /unknown field 'colour'/,
      ],
      [
        { enis: ["eni-0123456789abcdef0"], durationSeconds: 5 },
        404,
        "EMU_ERR_API_TRACE_UNKNOWN_TARGET",
        /No agent hosts ENI 'eni-0123456789abcdef0'/,
      ],
      [
        { instances: ["i-0123456789abcdef0"], durationSeconds: 5 },
        404,
        "EMU_ERR_API_TRACE_UNKNOWN_TARGET",
        /instance 'i-0123456789abcdef0'/,
      ],
      [[1, 2], 400, "EMU_ERR_API_TRACE_INVALID", /JSON object/],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await api("POST", "/v1/traces", body);
      expect({ body, status: r.status, code: r.body.code }).toEqual({ body, status, code });
      expect(r.body.message).toMatch(message);
    }
    const t = await api("POST", "/v1/traces", { enis: [ids.webEni], durationSeconds: 5 });
    const id = t.body.traceId as string;
    for (const q of ["since=-1", "since=abc", "limit=0", "limit=1001"]) {
      const r = await api("GET", `/v1/traces/${id}/events?${q}`);
      expect([q, r.status, r.body.code]).toEqual([q, 400, "EMU_ERR_API_BAD_QUERY"]);
    }
    expect((await api("PUT", `/v1/traces/${id}`)).body.code).toBe("EMU_ERR_API_METHOD");
    expect((await api("GET", "/v1/traces")).body.traces).toEqual([
      expect.objectContaining({ traceId: id }),
    ]);
    await api("DELETE", `/v1/traces/${id}`);
  });
});
