/**
 * Terraform with routing resources (docs/routing.md): the hashicorp/aws provider (5.100.0, from
 * the local filesystem mirror) applies test/fixtures/terraform/routing/main.tf (internet gateway,
 * route tables, routes and associations, Elastic IPs, a NAT gateway, a VPC peering with
 * auto_accept, an instance with associate_public_ip_address and private_ip), plans with no
 * drift and destroys everything. Every EC2 call the provider makes must be answered (no
 * InvalidAction, UnknownParameter, InternalError). API only: no traffic.
 *
 *   terraform + provider --HTTP (ec2, sts, iam endpoints)--> Controller 127.0.0.1:<port> (":memory:")
 */
import {
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeVpcPeeringConnectionsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import {
  providerCalls,
  requireTerraform,
  TerraformWorkspace,
  type ProviderCall,
  type TerraformRun,
} from "../helpers/terraform.js";

const FIXTURE = new URL("../fixtures/terraform/routing", import.meta.url).pathname;
const TF_TIMEOUT = 600_000;

let ctl: StartedController;
let ws: TerraformWorkspace;
let ec2: EC2Client;
const calls: ProviderCall[] = [];

async function terraform(...args: string[]): Promise<TerraformRun> {
  const r = await ws.run(args, TF_TIMEOUT);
  calls.push(...providerCalls(r.log));
  return r;
}

function failed(r: TerraformRun): string {
  return `terraform exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`;
}

beforeAll(async () => {
  const tf = requireTerraform();
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  ws = new TerraformWorkspace(FIXTURE, tf);
  ec2 = new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  ec2?.destroy();
  await ctl?.stop();
  ws?.dispose();
});

interface Outputs {
  ids: { value: Record<string, string> };
  web: { value: { private_ip: string; public_ip: string } };
}

describe("terraform with routing resources", { timeout: TF_TIMEOUT * 3 }, () => {
  let out: Outputs;

  it("applies gateways, route tables, Elastic IPs, a NAT gateway and a peering (RT-, IGW-, EIP-, NAT-, PCX-)", async () => {
    const init = await terraform("init", "-input=false", "-no-color");
    expect(init.code, failed(init)).toBe(0);
    const vars = ["-var", `endpoint=${ctl.url}`];
    const apply = await terraform("apply", "-auto-approve", "-input=false", "-no-color", ...vars);
    expect(apply.code, failed(apply)).toBe(0);
    const o = await terraform("output", "-json", "-no-color");
    out = JSON.parse(o.stdout) as Outputs;
    const ids = out.ids.value;
    expect(out.web.value.private_ip).toBe("10.90.1.10");
    expect(out.web.value.public_ip).toMatch(/^198\.1[89]\.\d+\.\d+$/);
    expect(ids["app_eip"]).toMatch(/^198\.1[89]\.\d+\.\d+$/);
    const igw = await ec2.send(
      new DescribeInternetGatewaysCommand({ InternetGatewayIds: [ids["igw"]!] }),
    );
    expect(igw.InternetGateways?.[0]?.Attachments?.[0]?.VpcId).toBe(ids["vpc"]);
    const rts = await ec2.send(
      new DescribeRouteTablesCommand({ RouteTableIds: [ids["public_rtb"]!, ids["private_rtb"]!] }),
    );
    // Routes in creation order; Terraform creates the inline ones in any order.
    const routes = rts.RouteTables?.map((t) =>
      (t.Routes ?? [])
        .map((r) => [
          r.DestinationCidrBlock,
          r.GatewayId ?? r.NatGatewayId ?? r.VpcPeeringConnectionId,
          r.State,
        ])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(routes).toEqual([
      [
        ["0.0.0.0/0", ids["igw"], "active"],
        ["10.90.0.0/16", "local", "active"],
      ],
      [
        ["0.0.0.0/0", ids["nat"], "active"],
        ["10.90.0.0/16", "local", "active"],
        ["10.91.0.0/16", ids["pcx"], "active"],
      ],
    ]);
    const nat = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [ids["nat"]!] }));
    expect(nat.NatGateways?.[0]?.State).toBe("available");
    const pcx = await ec2.send(
      new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [ids["pcx"]!] }),
    );
    expect(pcx.VpcPeeringConnections?.[0]?.Status?.Code).toBe("active");
  });

  it("plans no changes right after apply (no drift)", async () => {
    const plan = await terraform(
      "plan",
      "-detailed-exitcode",
      "-input=false",
      "-no-color",
      "-var",
      `endpoint=${ctl.url}`,
    );
    expect(plan.code, failed(plan)).toBe(0);
  });

  it("destroys everything, and the provider got an answer to every call", async () => {
    const r = await terraform(
      "destroy",
      "-auto-approve",
      "-input=false",
      "-no-color",
      "-var",
      `endpoint=${ctl.url}`,
    );
    expect(r.code, failed(r)).toBe(0);
    const igw = await ec2.send(
      new DescribeInternetGatewaysCommand({
        Filters: [{ Name: "attachment.vpc-id", Values: [out.ids.value["vpc"]!] }],
      }),
    );
    expect(igw.InternetGateways).toEqual([]);
    // Why: the provider's IAM GetUser probe is not EC2 (vpcemu answers no IAM; as terraform.test.ts).
    const unanswered = calls.filter(
      (c) =>
        c.service !== "iam" &&
        ["InvalidAction", "UnknownParameter", "InternalError"].includes(c.errorCode ?? ""),
    );
    expect(unanswered).toEqual([]);
  });
});
