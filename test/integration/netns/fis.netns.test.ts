/**
 * Issue 12 item 4: AWS FIS experiments on real traffic. A local runtime (real namespaces, TUN
 * devices, agents over loopback UDP, the controller a child process) runs the experiments
 * through @aws-sdk/client-fis; TCP goes through kernel sockets inside the namespaces
 * (test/helpers/chaos-probe.ts). Every wait is for the experiment's states or the agents'
 * enforced revision (GET /v1/revision), polled with a deadline; no fixed sleeps.
 * FIS durations run at 1/10 ($VPCEMU_FIS_TIME_SCALE=0.1: PT1M lasts 6 s).
 *
 *   VPC chaos 10.0.0.0/16, every group: all traffic from 10.0.0.0/16; the default NACL
 *   public 10.0.1.0/24                      private 10.0.2.0/24
 *     web  10.0.1.10 (client)   --------->    db 10.0.2.20  tcp echo 3306
 *     web2 10.0.1.11 tcp echo 3306
 *   (namespaces vpcemu-chaosfis<pid>x<n>-<node>: no other test uses the tag)
 *
 * disrupt-connectivity (scope all) on `public` cuts web<->db (new and established connections)
 * and keeps web<->web2 (NACLs do not apply inside a subnet), through a `managedByFIS=true`
 * clone of the NACL that DescribeNetworkAcls shows; when the action ends or StopExperiment
 * answers, the original association is back and the clone gone (FIS-4, FIS-6, FIS-15).
 * stop-instances silences db until startInstancesAfterDuration starts it (FIS-7, FIS-16,
 * INST-2). AWSFIS-Run-Network-Latency on db delays traffic from db only (FIS-11, FIS-17).
 * Behaviour IDs: docs/fis.md. Root required (fails naming what is missing, never skips).
 */
import {
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  EC2Client,
  type NetworkAcl,
} from "@aws-sdk/client-ec2";
import {
  CreateExperimentTemplateCommand,
  FisClient,
  GetExperimentCommand,
  ListExperimentsCommand,
  StartExperimentCommand,
  StopExperimentCommand,
  type CreateExperimentTemplateCommandInput,
  type Experiment,
} from "@aws-sdk/client-fis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FIS_TIME_SCALE_ENV } from "../../../cli/commands/controller.js";
import { DB, WEB2, startChaosRuntime, type ChaosRuntime } from "../../helpers/chaos-runtime.js";
import { median, type ChaosProbe } from "../../helpers/chaos-traffic.js";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const PORT = 3306;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

let rt: ChaosRuntime;
let ec2: EC2Client;
let fis: FisClient;
let web: ChaosProbe;
let publicSubnet: string;
let originalAcl: string;
const figures: string[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every 25 ms until it yields a value; throws naming `what` after `timeoutMs`. */
async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not ${what} within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Every agent enforces the controller's current revision. */
const enforced = (): Promise<unknown> => rt.api.waitEnforced(rt.agentCount);

async function experiment(id: string): Promise<Experiment> {
  return (await fis.send(new GetExperimentCommand({ id }))).experiment!;
}

/** Waits until the experiment's `action` is `status` (the effect is in the store by then). */
function actionIs(id: string, action: string, status: string): Promise<Experiment> {
  return until(`${id} action ${action} ${status}`, async () => {
    const e = await experiment(id);
    return e.actions?.[action]?.state?.status === status ? e : undefined;
  });
}

function experimentIs(id: string, status: string, timeoutMs = 30_000): Promise<Experiment> {
  return until(
    `${id} ${status}`,
    async () => {
      const e = await experiment(id);
      return e.state?.status === status ? e : undefined;
    },
    timeoutMs,
  );
}

async function start(input: Omit<CreateExperimentTemplateCommandInput, "description" | "roleArn">) {
  const tid = (
    await fis.send(
      new CreateExperimentTemplateCommand({
        description: "fis netns",
        roleArn: `arn:aws:iam::${ACCOUNT}:role/fis`,
        ...input,
      }),
    )
  ).experimentTemplate!.id!;
  return (await fis.send(new StartExperimentCommand({ experimentTemplateId: tid }))).experiment!
    .id!;
}

const subnetTarget = () => ({
  resourceType: "aws:ec2:subnet",
  resourceArns: [`arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${publicSubnet}`],
  selectionMode: "ALL",
});
const instanceTarget = (node: string) => ({
  resourceType: "aws:ec2:instance",
  resourceArns: [
    `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${rt.runtime.applied!.instances.get(node)!.instanceId}`,
  ],
  selectionMode: "ALL",
});
const disrupt = (duration: string) => ({
  stopConditions: [{ source: "none" }],
  targets: { Public: subnetTarget() },
  actions: {
    cut: {
      actionId: "aws:network:disrupt-connectivity",
      parameters: { duration, scope: "all" },
      targets: { Subnets: "Public" },
    },
  },
});

/** The NACL associated with the public subnet (DescribeNetworkAcls, as a user would ask). */
async function publicAcl(): Promise<NetworkAcl> {
  const r = await ec2.send(
    new DescribeNetworkAclsCommand({
      Filters: [{ Name: "association.subnet-id", Values: [publicSubnet] }],
    }),
  );
  expect(r.NetworkAcls).toHaveLength(1);
  return r.NetworkAcls![0]!;
}

async function fisClones(): Promise<NetworkAcl[]> {
  const r = await ec2.send(
    new DescribeNetworkAclsCommand({ Filters: [{ Name: "tag:managedByFIS", Values: ["true"] }] }),
  );
  return r.NetworkAcls ?? [];
}

async function instanceState(node: string): Promise<string | undefined> {
  const id = rt.runtime.applied!.instances.get(node)!.instanceId;
  const r = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

/** One TCP connect from web; `ok` when the handshake completed within `timeoutMs`. */
async function connects(host: string, timeoutMs = 300): Promise<boolean> {
  return (await web.tcpConnect(host, PORT, timeoutMs)).ok;
}

/** ms from `t0` to the start of the first connect web -> host whose outcome is `want`. */
async function firstConnect(host: string, want: boolean, t0: number): Promise<number> {
  return until(`web -> ${host} ${want ? "open" : "cut"}`, async () => {
    const at = Date.now();
    return (await connects(host, 250)) === want ? at - t0 : undefined;
  });
}

/** Median TCP connect time web -> host over `n` samples (each must succeed). */
async function connectMedian(host: string, n = 9): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await web.tcpConnect(host, PORT, 3000);
    expect(r, `web -> ${host} sample ${i}`).toMatchObject({ ok: true });
    ms.push(r.ms);
  }
  return median(ms);
}

beforeAll(async () => {
  // Read by `vpcemu controller`, which the runtime spawns with this process's environment.
  process.env[FIS_TIME_SCALE_ENV] = "0.1";
  try {
    rt = await startChaosRuntime("fis", ["web", "web2", "db"]);
  } finally {
    delete process.env[FIS_TIME_SCALE_ENV];
  }
  const endpoint = rt.runtime.controllerUrl;
  ec2 = new EC2Client({ endpoint, region: REGION, credentials, maxAttempts: 1 });
  fis = new FisClient({ endpoint, region: REGION, credentials, maxAttempts: 1 });
  publicSubnet = rt.runtime.applied!.subnets.get("public")!;
  web = rt.probe("web");
  // Three probe processes start at once; web's first connect only waits for its own start.
  await Promise.all([
    rt.probe("db").tcpEchoServer(PORT),
    rt.probe("web2").tcpEchoServer(PORT),
    web.tcpConnect(DB, PORT, 100),
  ]);
  await enforced();
  originalAcl = (await publicAcl()).NetworkAclId!;
  expect(await connects(DB, 3000)).toBe(true);
  expect(await connects(WEB2, 3000)).toBe(true);
}, 180_000);

afterEach(async () => {
  // Why: a failed test must not leave its experiment running for the next one.
  const list = (await fis.send(new ListExperimentsCommand({}))).experiments ?? [];
  for (const e of list)
    if (!["completed", "stopped", "failed"].includes(e.state?.status ?? ""))
      await fis.send(new StopExperimentCommand({ id: e.id! })).catch(() => undefined);
  await enforced();
});

afterAll(async () => {
  if (figures.length > 0) console.log(`FIS on real traffic, measured:\n  ${figures.join("\n  ")}`);
  fis?.destroy();
  ec2?.destroy();
  await rt?.[Symbol.asyncDispose]();
});

describe("AWS FIS experiments on real traffic (netns)", { timeout: 60_000 }, () => {
  it("disrupt-connectivity cuts web<->db, also an established connection, keeps web<->web2, shows the managedByFIS clone; when the action ends the original association is back (FIS-4, FIS-15)", async () => {
    const session = await web.session(DB, PORT);
    try {
      expect(await session.send()).toMatchObject({ ok: true });
      const t0 = Date.now();
      const id = await start(disrupt("PT1M"));
      // Traffic and the enforced revision are watched side by side (the probe is a process).
      const [cutMs, enforcedMs] = await Promise.all([
        firstConnect(DB, false, t0),
        actionIs(id, "cut", "running")
          .then(enforced)
          .then(() => Date.now() - t0),
      ]);

      expect(await connects(DB)).toBe(false);
      expect((await session.send(500)).ok).toBe(false);
      expect(await connects(WEB2)).toBe(true);
      const clone = await publicAcl();
      expect(clone.NetworkAclId).not.toBe(originalAcl);
      expect(clone.Tags).toContainEqual({ Key: "managedByFIS", Value: "true" });
      for (const egress of [false, true])
        expect(clone.Entries).toContainEqual(
          expect.objectContaining({
            RuleNumber: 1,
            Egress: egress,
            RuleAction: "deny",
            CidrBlock: "0.0.0.0/0",
          }),
        );
      expect((await fisClones()).map((a) => a.NetworkAclId)).toEqual([clone.NetworkAclId]);
      // The checks above ran while the action ran (PT1M is 6 s here).
      expect((await experiment(id)).state).toEqual({
        status: "running",
        reason: "Experiment is running.",
      });

      const done = await experimentIs(id, "completed");
      expect(done.state?.reason).toBe("Experiment completed.");
      expect(done.actions?.["cut"]?.state).toEqual({
        status: "completed",
        reason: "Action was completed.",
      });
      expect((await publicAcl()).NetworkAclId).toBe(originalAcl);
      expect(await fisClones()).toEqual([]);
      const restoreMs = await firstConnect(DB, true, done.endTime!.getTime());
      await enforced();
      expect(await connects(DB)).toBe(true);
      expect(await connects(WEB2)).toBe(true);
      figures.push(
        `disrupt-connectivity (PT1M = 6 s): the first web->db connect that failed started ` +
          `${cutMs} ms after StartExperiment, all agents enforced the cut at ${enforcedMs} ms; ` +
          `the first that passed again started ${restoreMs} ms after the action's end (endTime)`,
      );
    } finally {
      await session.close();
    }
  });

  it("StopExperiment during a PT12H disrupt restores at once: the association is back when GetExperiment says stopped (FIS-6)", async () => {
    const id = await start(disrupt("PT12H"));
    await actionIs(id, "cut", "running");
    await enforced();
    expect(await connects(DB)).toBe(false);
    expect((await publicAcl()).NetworkAclId).not.toBe(originalAcl);

    const t0 = Date.now();
    const answer = (await fis.send(new StopExperimentCommand({ id }))).experiment!;
    expect(answer.state).toEqual({ status: "stopping", reason: "Stopping Experiment." });
    const stopped = await experiment(id);
    expect(stopped.state).toEqual({ status: "stopped", reason: "Experiment stopped." });
    expect(stopped.actions?.["cut"]?.state?.status).toBe("stopped");
    expect((await publicAcl()).NetworkAclId).toBe(originalAcl);
    expect(await fisClones()).toEqual([]);
    const [restoreMs, enforcedMs] = await Promise.all([
      firstConnect(DB, true, t0),
      enforced().then(() => Date.now() - t0),
    ]);
    expect(await connects(DB)).toBe(true);
    figures.push(
      `StopExperiment: first web->db connect that passed started ${restoreMs} ms after the ` +
        `call, all agents enforced at ${enforcedMs} ms`,
    );
  });

  it("stop-instances silences db (TCP connect fails, drop reason instance_stopped, no fault) until startInstancesAfterDuration starts it again (FIS-7, FIS-16, INST-2)", async () => {
    const stoppedDrops = async (): Promise<number> => {
      const c = await rt.api.counters(rt.eni("db"));
      const drops = (c?.counters as { drops?: Record<string, number> } | undefined)?.drops;
      return drops?.["instance_stopped"] ?? 0;
    };
    const before = await stoppedDrops();
    const t0 = Date.now();
    const id = await start({
      stopConditions: [{ source: "none" }],
      targets: { Db: instanceTarget("db") },
      actions: {
        stop: {
          actionId: "aws:ec2:stop-instances",
          parameters: { startInstancesAfterDuration: "PT1M" },
          targets: { Instances: "Db" },
        },
      },
    });
    await actionIs(id, "stop", "running");
    expect(await instanceState("db")).toBe("stopped");
    await enforced();
    const silentMs = Date.now() - t0;
    expect(await connects(DB)).toBe(false);
    expect(await connects(WEB2)).toBe(true);
    expect(await rt.api.list()).toEqual([]);
    // The agents report counters every 5 s: the drops show in a report during or after the stop.
    const dropped = until("instance_stopped counted", async () =>
      (await stoppedDrops()) > before ? true : undefined,
    );
    // Why: awaited below; a failure before that must not also surface as an unhandled rejection.
    dropped.catch(() => undefined);

    const done = await experimentIs(id, "completed");
    const backMs = Date.now() - t0;
    expect(done.actions?.["stop"]?.state?.reason).toBe("Action was completed.");
    expect(await instanceState("db")).toBe("running");
    await enforced();
    expect(await connects(DB, 2000)).toBe(true);
    await dropped;
    expect(await rt.api.list()).toEqual([]);
    figures.push(
      `stop-instances: db stopped and enforced ${silentMs} ms after StartExperiment, running ` +
        `again at ${backMs} ms (startInstancesAfterDuration PT1M = 6000 ms at scale 0.1)`,
    );
  });

  it("AWSFIS-Run-Network-Latency (100 ms) on db delays web->db connects by about 100 ms and web->web2 not at all (FIS-11, FIS-17)", async () => {
    const base = { db: await connectMedian(DB), web2: await connectMedian(WEB2) };
    const id = await start({
      stopConditions: [{ source: "none" }],
      targets: { Db: instanceTarget("db") },
      actions: {
        slow: {
          actionId: "aws:ssm:send-command",
          parameters: {
            documentArn: `arn:aws:ssm:${REGION}::document/AWSFIS-Run-Network-Latency`,
            documentParameters: JSON.stringify({
              DurationSeconds: "43200",
              DelayMilliseconds: "100",
              JitterMilliseconds: "0",
            }),
            duration: "PT12H",
          },
          targets: { Instances: "Db" },
        },
      },
    });
    await actionIs(id, "slow", "running");
    const faults = await rt.api.list();
    expect(faults).toHaveLength(1);
    await rt.api.waitActive(faults[0]!.faultId);
    const slow = { db: await connectMedian(DB), web2: await connectMedian(WEB2) };
    await fis.send(new StopExperimentCommand({ id }));
    expect(await rt.api.list()).toEqual([]);
    await enforced();
    const after = await connectMedian(DB, 5);

    const f = (x: number): string => x.toFixed(1);
    figures.push(
      `SSM latency 100 ms on db, median TCP connect from web (9 samples): web->db ` +
        `${f(base.db)} -> ${f(slow.db)} ms (+${f(slow.db - base.db)}), web->web2 ` +
        `${f(base.web2)} -> ${f(slow.web2)} ms (+${f(slow.web2 - base.web2)}); ` +
        `web->db after StopExperiment ${f(after)} ms`,
    );
    expect(slow.db - base.db).toBeGreaterThanOrEqual(60);
    expect(slow.db - base.db).toBeLessThanOrEqual(250);
    expect(slow.web2 - base.web2).toBeLessThan(50);
    expect(after - base.db).toBeLessThan(50);
  });
});
