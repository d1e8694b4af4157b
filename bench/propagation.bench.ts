/**
 * Policy propagation: 100 in-process agents (ControllerClient) connected to one controller
 * (":memory:" state, loopback), each hosting one instance in web-sg. Each of 50 rounds sends
 * one AuthorizeSecurityGroupIngress on web-sg through the AWS SDK (it affects all 100 ENIs) and
 * measures the time until every agent has swapped in and acknowledged the new revision.
 * Prints p50/p99/max (goal: p99 <= 50 ms, AWS-BEHAVIOUR CT-17 bound is 1 s). Figures only.
 *
 *   npm run bench:propagation   [AGENTS=100 ROUNDS=50]
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { Controller } from "../controller/app.js";
import { ControllerClient } from "../node-agent/control/controller-client.js";

const AGENTS = Number(process.env["AGENTS"] ?? 100);
const ROUNDS = Number(process.env["ROUNDS"] ?? 50);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(name: string, xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(2).padStart(7);
  return `${name.padEnd(44)} p50 ${f(pct(s, 50))} ms   p99 ${f(pct(s, 99))} ms   max ${f(s.at(-1)!)} ms`;
}

async function main(): Promise<void> {
  await using ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  const ec2 = new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    maxAttempts: 1,
  });
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (
    await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.0.0/20" }))
  ).Subnet!.SubnetId!;
  const webSg = (
    await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "web-sg", Description: "web" }),
    )
  ).GroupId!;
  const instanceIds: string[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-12345678",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetId,
        SecurityGroupIds: [webSg],
      }),
    );
    instanceIds.push(out.Instances![0]!.InstanceId!);
  }

  let swaps = 0;
  const clients = instanceIds.map(
    (id, i) =>
      new ControllerClient({
        url: ctl.agentUrl,
        agentId: `bench-agent-${i}`,
        hosting: {
          instanceIds: [id],
          eniIds: [],
          externals: [],
          underlayEndpoint: `127.0.0.1:${20000 + i}`,
        },
        onSnapshot: () => {
          swaps++;
        },
      }),
  );
  const t0 = performance.now();
  for (const c of clients) c.start();
  await Promise.all(clients.map((c) => c.enforced(ctl.revision())));
  await ctl.waitForEnforced(ctl.revision(), 30_000);
  const joinMs = performance.now() - t0;

  const sendToAck: number[] = [];
  const replyToAck: number[] = [];
  const hubAck: number[] = [];
  const cpuMs: number[] = [];
  const swapsBefore = swaps;
  for (let r = 0; r < ROUNDS; r++) {
    const port = 1000 + r;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: webSg,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: port,
            ToPort: port,
            IpRanges: [{ CidrIp: "10.0.0.0/16" }],
          },
        ],
      }),
    );
    const replied = performance.now();
    const rev = ctl.revision();
    const hub = ctl.waitForEnforced(rev, 10_000).then(() => performance.now());
    await Promise.all(clients.map((c) => c.enforced(rev)));
    const done = performance.now();
    sendToAck.push(done - start);
    replyToAck.push(done - replied);
    hubAck.push((await hub) - start);
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
  }

  console.log(
    `propagation: ${AGENTS} agents, ${ROUNDS} AuthorizeSecurityGroupIngress rounds (each affects every agent)`,
  );
  console.log(`  all agents joined and enforcing in ${joinMs.toFixed(1)} ms`);
  console.log(`  ${summary("API send -> every agent swapped + acked", sendToAck)}`);
  console.log(`  ${summary("API reply -> every agent swapped + acked", replyToAck)}`);
  console.log(`  ${summary("API send -> hub saw every ack", hubAck)}`);
  console.log(`  ${summary("CPU per round (controller + all agents)", cpuMs)}`);
  console.log(
    `  (shared machine: wall-clock figures grow with load; 1-min load average ${loadavg()[0]!.toFixed(1)})`,
  );
  console.log(
    `  snapshots swapped per round: ${((swaps - swapsBefore) / ROUNDS).toFixed(1)} (goal p99 <= 50 ms)`,
  );

  await Promise.all(clients.map((c) => c.close()));
  ec2.destroy();
}

await main();
