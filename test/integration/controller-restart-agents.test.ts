/**
 * A controller restarted on the same state file remembers the agents it knew, so the first
 * agent to reconnect is given the last underlay endpoint of a peer still in reconnect backoff
 * (instead of none, which would make it drop that peer's traffic as no_route/spoofed_underlay).
 *
 *   Controller #1 (state.db) <- agent-web (i-web, 127.0.0.1:7001), agent-db (i-db, 127.0.0.1:7002)
 *   stop; Controller #2 (same state.db) <- agent-web only
 *   => agent-web's mapping still routes db's address to 127.0.0.1:7002
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { ControllerClient } from "../../node-agent/control/controller-client.js";
import type { AgentSnapshot } from "../../node-agent/filter/policy.js";

const dir = mkdtempSync(join(tmpdir(), "vpcemu-restart-"));
const statePath = join(dir, "state.db");
const clients: ControllerClient[] = [];
const controllers: StartedController[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(controllers.map((c) => c.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function startController(): Promise<StartedController> {
  const ctl = await new Controller({ listen: "127.0.0.1:0", statePath, log: () => {} }).start();
  controllers.push(ctl);
  return ctl;
}

/** Keys the controller issued by agent id: an agent started again presents its key. */
const issuedKeys = new Map<string, string>();

function startAgent(ctl: StartedController, agentId: string, instanceId: string, endpoint: string) {
  const snapshots: AgentSnapshot[] = [];
  const key = issuedKeys.get(agentId);
  const client = new ControllerClient({
    url: ctl.agentUrl,
    agentId,
    ...(key !== undefined ? { agentKey: key } : {}),
    onAgentKey: (k) => issuedKeys.set(agentId, k),
    hosting: { instanceIds: [instanceId], eniIds: [], externals: [], underlayEndpoint: endpoint },
    onSnapshot: (s) => {
      snapshots.push(s);
    },
  });
  clients.push(client);
  client.start();
  return { client, snapshots };
}

async function until<T>(what: string, f: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("controller restart keeps the known agents' endpoints", () => {
  it("maps a peer that has not reconnected yet to its last endpoint", async () => {
    const ctl1 = await startController();
    const ec2 = new EC2Client({
      endpoint: ctl1.ec2Endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    const subnetId = (
      await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))
    ).Subnet!.SubnetId!;
    const run = async (ip: string) =>
      (
        await ec2.send(
          new RunInstancesCommand({
            ImageId: "ami-12345678",
            InstanceType: "t3.micro",
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnetId,
            PrivateIpAddress: ip,
          }),
        )
      ).Instances![0]!.InstanceId!;
    const web = await run("10.0.1.10");
    const db = await run("10.0.1.20");
    ec2.destroy();

    const a1 = startAgent(ctl1, "agent-web", web, "127.0.0.1:7001");
    const b1 = startAgent(ctl1, "agent-db", db, "127.0.0.1:7002");
    const dbEndpoint = (s: AgentSnapshot[]) =>
      s.at(-1)?.mapping.find((m) => m.address === "10.0.1.20")?.endpoint;
    await until("db's endpoint in web's mapping", () =>
      dbEndpoint(a1.snapshots) === "127.0.0.1:7002" ? true : undefined,
    );
    await a1.client.close();
    await b1.client.close();
    await ctl1.stop();

    const ctl2 = await startController();
    const a2 = startAgent(ctl2, "agent-web", web, "127.0.0.1:7001");
    await until("a snapshot after the restart", () => a2.snapshots.at(-1));
    expect(dbEndpoint(a2.snapshots)).toBe("127.0.0.1:7002");
    const agents = (await (await fetch(`${ctl2.url}/v1/agents`)).json()) as {
      agents?: Array<{ id?: string; agentId?: string; connected: boolean }>;
    };
    const list = Array.isArray(agents) ? agents : (agents.agents ?? []);
    const dbAgent = list.find((a) => (a.agentId ?? a.id) === "agent-db");
    expect(dbAgent?.connected).toBe(false);
  });
});
