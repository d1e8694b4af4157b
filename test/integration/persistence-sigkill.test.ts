/**
 * Durability: SIGKILL at any moment loses no acknowledged write. A child process serves the
 * EC2 API over a file database; the test hammers it with concurrent CreateSecurityGroup calls
 * through the AWS SDK, SIGKILLs it while requests are in flight, reopens the database and
 * checks that every write answered 200 is there. Three rounds kill at different points, each
 * restarting on the database the previous kill left behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, describe, expect, it } from "vitest";
import { StateStore } from "../../controller/store/state-store.js";

const SCRIPT = fileURLToPath(new URL("../helpers/ec2-server-process.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "vpcemu-sigkill-"));
const dbPath = join(dir, "state.db");
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function startChild(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, dbPath], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m?.[1] !== undefined) resolve(Number(m[1]));
    });
    child.on("exit", (code) =>
      reject(new Error(`controller child exited (${code}) before listening:\n${err}`)),
    );
  });
  return { child, port };
}

function client(port: number): EC2Client {
  return new EC2Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
}

/** Runs `workers` concurrent write loops; SIGKILLs the child after `killAfter` acknowledgements. */
async function hammer(
  port: number,
  child: ChildProcess,
  vpcId: string,
  round: number,
  killAfter: number,
) {
  const ec2 = client(port);
  const acked: string[] = [];
  let failed = 0;
  let n = 0;
  let killed = false;
  const worker = async () => {
    while (!killed) {
      const name = `r${round}-${n++}`;
      try {
        const r = await ec2.send(
          new CreateSecurityGroupCommand({ GroupName: name, Description: "d", VpcId: vpcId }),
        );
        if (r.GroupId !== undefined) acked.push(r.GroupId);
        if (acked.length >= killAfter && !killed) {
          killed = true;
          child.kill("SIGKILL");
        }
      } catch {
        failed++;
        if (child.exitCode !== null || child.signalCode !== null) killed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await new Promise<void>((resolve) =>
    child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
  );
  ec2.destroy();
  return { acked, failed };
}

describe("persistence under SIGKILL", () => {
  it("keeps every acknowledged write across three kills mid-stream", async () => {
    let vpcId = "";
    const allAcked: string[] = [];
    for (const [round, killAfter] of [
      [1, 25],
      [2, 90],
      [3, 160],
    ] as const) {
      const { child, port } = await startChild();
      const ec2 = client(port);
      if (vpcId === "")
        vpcId =
          (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId ?? "";
      // The restarted controller serves what the killed one acknowledged.
      expect((await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs).toHaveLength(1);
      ec2.destroy();
      const { acked } = await hammer(port, child, vpcId, round, killAfter);
      expect(child.signalCode).toBe("SIGKILL");
      expect(acked.length).toBeGreaterThanOrEqual(killAfter);
      allAcked.push(...acked);
      const store = StateStore.open(dbPath);
      const missing = allAcked.filter((id) => store.get("securityGroup", id) === undefined);
      expect(missing).toEqual([]);
      // Every committed write bumped the revision: VPC create + each group (acked or not).
      expect(store.revision()).toBeGreaterThanOrEqual(1 + allAcked.length);
      expect(store.list("securityGroup").length - 1).toBe(store.revision() - 1);
      store.close();
    }
  }, 120_000);
});
