/**
 * Shared by test/integration/faults-*.test.ts: a real Controller on 127.0.0.1:0, the seed
 * topology built through the EC2 API (AWS SDK v3), the JSON API over fetch, and raw agents:
 * WebSocket clients speaking the agent protocol whose acks the test controls.
 *
 *   EC2Client / fetch --HTTP--> Controller 127.0.0.1:<port>
 *                                  | /v1/agents/ws (protobuf)
 *                  RawAgent(agent-web: i-web)   RawAgent(agent-db: i-db)   ...
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import WebSocket from "ws";
import { vpcemu } from "../../proto/gen/vpcemu.js";
import { encodeAckFrame, encodeHelloFrame } from "../../node-agent/control/wire.js";
import type { StartedController } from "../../controller/app.js";

const pb = vpcemu.v1;

export function ec2Client(ctl: StartedController): EC2Client {
  return new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

export interface Topology {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly webSg: string;
  readonly dbSg: string;
  readonly webInstance: string;
  readonly dbInstance: string;
  readonly webEni: string;
  readonly dbEni: string;
}

export async function runInstance(
  ec2: EC2Client,
  subnetId: string,
  sg: string,
  name: string,
): Promise<{ instanceId: string; eniId: string }> {
  const i = (
    await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-12345678",
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
        SecurityGroupIds: [sg],
      }),
    )
  ).Instances![0]!;
  await ec2.send(
    new CreateTagsCommand({ Resources: [i.InstanceId!], Tags: [{ Key: "Name", Value: name }] }),
  );
  return { instanceId: i.InstanceId!, eniId: i.NetworkInterfaces![0]!.NetworkInterfaceId! };
}

/** VPC 10.0.0.0/16, subnet "private" in us-east-1a, web-sg and db-sg, instances web-1 and db-1. */
export async function seedTopology(ec2: EC2Client): Promise<Topology> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (
    await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: "10.0.1.0/24",
        AvailabilityZone: "us-east-1a",
      }),
    )
  ).Subnet!.SubnetId!;
  await ec2.send(
    new CreateTagsCommand({ Resources: [subnetId], Tags: [{ Key: "Name", Value: "private" }] }),
  );
  const sg = async (name: string) =>
    (
      await ec2.send(
        new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }),
      )
    ).GroupId!;
  const webSg = await sg("web-sg");
  const dbSg = await sg("db-sg");
  const web = await runInstance(ec2, subnetId, webSg, "web-1");
  const db = await runInstance(ec2, subnetId, dbSg, "db-1");
  return {
    vpcId,
    subnetId,
    webSg,
    dbSg,
    webInstance: web.instanceId,
    dbInstance: db.instanceId,
    webEni: web.eniId,
    dbEni: db.eniId,
  };
}

export interface JsonReply {
  readonly status: number;
  // Why any: tests read fields of JSON answers of many shapes.
  readonly body: any;
}

/** One JSON API request; `body` (an object or raw text) is sent as given. */
export async function api(
  ctl: StartedController,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonReply> {
  const res = await fetch(`${ctl.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          headers: { "content-type": "application/json" },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

/** A decoded Snapshot frame as the raw agent received it. */
export interface ReceivedSnapshot {
  readonly revision: number;
  readonly generation: number;
  readonly snapshot: vpcemu.v1.IAgentSnapshot;
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (v !== null && typeof v === "object" && "toNumber" in v)
    return (v as { toNumber(): number }).toNumber();
  return 0;
}

/**
 * A WebSocket agent that says Hello, records the snapshots it is sent and acks them (when
 * `autoAck`) or when the test calls ackLatest(). It hosts `instanceIds` (and `externals`).
 */
export class RawAgent {
  readonly snapshots: ReceivedSnapshot[] = [];
  private readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(
    ctl: StartedController,
    readonly agentId: string,
    instanceIds: string[],
    private autoAck = true,
    externals: { name: string; address: string }[] = [],
  ) {
    this.ws = new WebSocket(ctl.agentUrl);
    this.ws.on("message", (d: Buffer) => {
      const f = pb.Frame.decode(new Uint8Array(d));
      if (f.snapshot === null || f.snapshot === undefined) return;
      const s: ReceivedSnapshot = {
        revision: toNumber(f.snapshot.snapshot?.revision),
        generation: toNumber(f.snapshot.generation),
        snapshot: f.snapshot.snapshot!,
      };
      this.snapshots.push(s);
      if (this.autoAck) this.ack(s);
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => {
        this.ws.send(
          encodeHelloFrame({
            agentId,
            joinToken: "",
            hosting: { instanceIds, eniIds: [], externals, underlayEndpoint: "127.0.0.1:9" },
            version: "test",
            enforcedRevision: 0,
          }),
        );
        resolve();
      });
      this.ws.once("error", reject);
    });
  }

  latest(): ReceivedSnapshot | undefined {
    return this.snapshots.at(-1);
  }

  /** Fault ids in the latest snapshot. */
  faultIds(): string[] {
    return (this.latest()?.snapshot.faults ?? []).map((f) => f.faultId ?? "");
  }

  ack(s: ReceivedSnapshot): void {
    this.ws.send(encodeAckFrame(s.revision, s.generation));
  }

  ackLatest(): void {
    const s = this.latest();
    if (s !== undefined) this.ack(s);
  }

  setAutoAck(on: boolean): void {
    this.autoAck = on;
  }

  /** A Counters frame carrying per-fault counters (cumulative). */
  sendFaultCounters(faults: vpcemu.v1.IFaultCounters[]): void {
    this.ws.send(
      pb.Frame.encode({ counters: { takenAtMs: Date.now(), enis: [], faults } }).finish(),
    );
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

/** Polls `cond` every 5 ms; throws naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  cond: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
