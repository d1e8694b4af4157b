/**
 * The JSON API (docs/json-api.md) on a real controller (":memory:" state) with in-process agents.
 *
 *   fetch --HTTP--> Controller /v1/...   <--ws-- ControllerClient(agent-web, hosts i-web)
 */
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { ControllerClient } from "../../node-agent/control/controller-client.js";

let ctl: StartedController;
let ec2: EC2Client;
let client: ControllerClient;
let instanceId = "";
let eniId = "";
let conntrackCalls = 0;

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  ec2 = new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (
    await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))
  ).Subnet!.SubnetId!;
  const inst = (
    await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-12345678",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
      }),
    )
  ).Instances![0]!;
  instanceId = inst.InstanceId!;
  eniId = inst.NetworkInterfaces![0]!.NetworkInterfaceId!;
  client = new ControllerClient({
    url: ctl.agentUrl,
    agentId: "agent-web",
    hosting: {
      instanceIds: [instanceId],
      eniIds: [],
      externals: [],
      underlayEndpoint: "127.0.0.1:7201",
    },
    onSnapshot: () => {},
    onConntrackRequest: (eniIds) => {
      conntrackCalls++;
      return eniIds.map((id) => ({
        eniId: id,
        instanceId,
        entries: [
          {
            protocol: 1,
            original: { src: "198.51.100.10", srcPort: 7, dst: "10.0.1.4", dstPort: 7 },
            reply: { src: "10.0.1.4", srcPort: 7, dst: "198.51.100.10", dstPort: 7 },
            state: "ICMP",
            expiresAtMs: 1_763_000_030_000,
            packetsOriginal: conntrackCalls,
            bytesOriginal: 84,
            packetsReply: 1,
            bytesReply: 84,
            ruleId: "sgr-icmp",
            direction: "ingress",
          },
        ],
      }));
    },
  });
  client.start();
  await client.enforced(ctl.revision());
});

afterAll(async () => {
  await client?.close();
  ec2?.destroy();
  await ctl?.stop();
});

async function get(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(`${ctl.url}${path}`, init);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: res.status, body: await res.json() };
}

describe("JSON API", () => {
  it("GET /v1/agents lists agents with endpoint, hosted ENIs, enforced revision, last seen", async () => {
    const { status, body } = await get("/v1/agents");
    expect(status).toBe(200);
    expect(body.agents).toHaveLength(1);
    expect(body.agents[0]).toMatchObject({
      agentId: "agent-web",
      connected: true,
      endpoint: "127.0.0.1:7201",
      instanceIds: [instanceId],
      eniIds: [eniId],
      enforcedRevision: ctl.revision(),
    });
    expect(Date.parse(body.agents[0].lastSeen)).not.toBeNaN();
  });

  it("GET /v1/revision gives the store revision and what each agent enforces", async () => {
    const { status, body } = await get("/v1/revision");
    expect(status).toBe(200);
    expect(body).toEqual({
      revision: ctl.revision(),
      compiledRevision: ctl.revision(),
      enforced: true,
      agents: [
        {
          agentId: "agent-web",
          enforcedRevision: ctl.revision(),
          upToDate: true,
          lastAckMs: expect.any(Number),
        },
      ],
      lastCompile: {
        revision: ctl.revision(),
        startedAtMs: expect.any(Number),
        compileMs: expect.any(Number),
        atMs: expect.any(Number),
        pushed: expect.any(Number),
      },
    });
  });

  it("GET /v1/instances lists the instances with their primary ENI's addresses and tags", async () => {
    const { status, body } = await get("/v1/instances");
    expect(status).toBe(200);
    expect(body).toEqual({
      revision: ctl.revision(),
      instances: [
        {
          instanceId,
          state: "running",
          vpcId: expect.stringMatching(/^vpc-/),
          subnetId: expect.stringMatching(/^subnet-/),
          primaryEniId: eniId,
          privateIpv4: [expect.stringMatching(/^10\.0\.1\./)],
          publicIpv4: [],
          ipv6: [],
          tags: {},
        },
      ],
    });
  });

  it("GET /v1/conntrack?instance=...&refresh=1 asks the agent and serves its report", async () => {
    const { status, body } = await get(`/v1/conntrack?instance=${instanceId}&refresh=1`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ agentId: "agent-web", enis: [{ eniId, instanceId }] });
    expect(body.enis[0].entries[0]).toMatchObject({
      state: "ICMP",
      ruleId: "sgr-icmp",
      packetsOriginal: 1,
    });
  });

  it("GET /v1/conntrack?eni=... without refresh serves the last report", async () => {
    const calls = conntrackCalls;
    const { status, body } = await get(`/v1/conntrack?eni=${eniId}`);
    expect(status).toBe(200);
    expect(conntrackCalls).toBe(calls);
    expect(body.enis[0].eniId).toBe(eniId);
  });

  it.each([
    ["/v1/conntrack", 400, "EMU_ERR_API_BAD_QUERY"],
    ["/v1/conntrack?eni=a&instance=b", 400, "EMU_ERR_API_BAD_QUERY"],
    ["/v1/conntrack?eni=eni-00000000000000000", 404, "EMU_ERR_API_UNKNOWN_TARGET"],
    ["/v1/nope", 404, "EMU_ERR_API_NOT_FOUND"],
    ["/v1/snapshot?agent=ghost", 404, "EMU_ERR_API_UNKNOWN_TARGET"],
  ])("GET %s answers %i {code: %s, message}", async (path, status, code) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    expect(typeof r.body.message).toBe("string");
  });

  it("refuses other methods with 405 {code, message}", async () => {
    const r = await get("/v1/agents", { method: "POST" });
    expect(r.status).toBe(405);
    expect(r.body.code).toBe("EMU_ERR_API_METHOD");
  });

  it("GET /v1/snapshot?agent= serves the compiled snapshot", async () => {
    const { status, body } = await get("/v1/snapshot?agent=agent-web");
    expect(status).toBe(200);
    expect(body.enis[0].eniId).toBe(eniId);
  });
});
