/**
 * EC2 API write throughput with persistence on: a file database (WAL, synchronous=FULL, one
 * transaction per write) behind the EC2 handler on loopback. Prints writes/s; asserts nothing.
 *   npm run bench:api            (WRITES=2000 CONCURRENCY=8 to change the load)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CreateSecurityGroupCommand, CreateVpcCommand } from "@aws-sdk/client-ec2";
import { startEc2Server } from "../test/helpers/ec2-server.js";

const WRITES = Number(process.env["WRITES"] ?? 2000);
const CONCURRENCY = Number(process.env["CONCURRENCY"] ?? 8);

const dir = mkdtempSync(join(tmpdir(), "vpcemu-bench-api-"));
const server = await startEc2Server({
  statePath: join(dir, "state.db"),
  store: { quotas: { groupsPerRegion: 1_000_000, rulesPerGroupPerDirection: 1_000_000 } },
});
const ec2 = server.client();

async function run(
  label: string,
  n: number,
  concurrency: number,
  write: (i: number) => Promise<void>,
) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await write(next++);
    }),
  );
  const s = (performance.now() - t0) / 1000;
  console.log(
    `${label.padEnd(58)} ${n} writes in ${s.toFixed(2)} s = ${(n / s).toFixed(0)} writes/s`,
  );
}

async function post(body: string): Promise<void> {
  const r = await fetch(`${server.endpoint}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  const text = await r.text();
  if (r.status !== 200) throw new Error(text);
}

try {
  const vpcId =
    (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId ?? "";
  // Why: rules go round-robin over 50 groups so each stays within AWS's 60-rule quota shape.
  const groups: string[] = [];
  for (let i = 0; i < 50; i++) {
    const r = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: `rules-${i}`, Description: "d", VpcId: vpcId }),
    );
    groups.push(r.GroupId ?? "");
  }
  console.log(
    `api-write bench: file DB (WAL, synchronous=FULL), loopback HTTP; node ${process.version}`,
  );
  await run("CreateSecurityGroup, AWS SDK v3, sequential", Math.min(WRITES, 500), 1, async (i) => {
    await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: `seq-${i}`, Description: "d", VpcId: vpcId }),
    );
  });
  await run(
    `CreateSecurityGroup, AWS SDK v3, ${CONCURRENCY} in flight`,
    WRITES,
    CONCURRENCY,
    async (i) => {
      await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: `par-${i}`, Description: "d", VpcId: vpcId }),
      );
    },
  );
  await run(
    `AuthorizeSecurityGroupIngress, raw HTTP, ${CONCURRENCY} in flight`,
    WRITES,
    CONCURRENCY,
    async (i) => {
      const cidr = `10.${(i >> 8) & 255}.${i & 255}.0/24`;
      await post(
        `Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=${groups[i % groups.length]}` +
          `&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443` +
          `&IpPermissions.1.IpRanges.1.CidrIp=${encodeURIComponent(cidr)}`,
      );
    },
  );
  const t0 = performance.now();
  const reps = 20;
  for (let i = 0; i < reps; i++) {
    // Why: a write invalidates the cached snapshot; this measures a full rebuild.
    await post(`Action=CreateTags&ResourceId.1=${vpcId}&Tag.1.Key=k&Tag.1.Value=${i}`);
    server.store.readPolicyState();
  }
  console.log(
    `readPolicyState() rebuild at revision ${server.store.revision()}: ${((performance.now() - t0) / reps).toFixed(2)} ms (incl. one write)`,
  );
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
