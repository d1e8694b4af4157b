/**
 * The controller half of a RunEnv (experiment-run.ts), shared by every place probes run (the
 * local runtime's namespaces, experiment-local.ts; Docker containers, experiment-containers.ts):
 * time, faults and counters through the controller's JSON API, rule changes through the EC2 API
 * (@aws-sdk/client-ec2), FIS experiments (fis-client.ts) and probe alarms through
 * PUT /v1/alarms/{name}. What needs a node (servers, probes, process faults) is the caller's.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { jsonApiAuthHeaders } from "../runtime/api-credentials.js";
import type { RunEnv } from "./experiment-run.js";
import type { Ec2Action, Ec2RuleSpec } from "./experiment-spec.js";
import { FaultApiError, FaultClient } from "./fault-api.js";
import { FisClient } from "./fis-client.js";

/**
 * Where a probe from the node at `from` dials the node at `to` (both addresses as the nodes
 * file or the runtime lists them): the emulated internet reaches an instance only as AWS's
 * internet does, at its public IP through an internet gateway (docs/routing.md RT-17, IGW-5).
 * So when `from` is no instance's private address (an external node such as `internet`) and
 * `to` is an instance with a public IP (its Elastic IP, else its launch-time one), the probe
 * goes to that public IP; otherwise to `to` as given (an instance without one stays
 * unreachable from the internet, as on AWS). Asked per probe: addresses change while a run
 * goes on (AssociateAddress).
 */
export function probeTargetResolver(
  ec2Endpoint: string,
): ((from: string, to: string) => Promise<string>) & { destroy(): void } {
  let ec2: EC2Client | undefined;
  const resolve = async (from: string, to: string): Promise<string> => {
    ec2 ??= new EC2Client({
      endpoint: ec2Endpoint,
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
      credentials: {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test",
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
        ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
      },
      maxAttempts: 1,
    });
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "private-ip-address", Values: [from, to] },
          { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
        ],
      }),
    );
    const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    if (instances.some((i) => i.PrivateIpAddress === from)) return to;
    return instances.find((i) => i.PrivateIpAddress === to)?.PublicIpAddress ?? to;
  };
  const destroy = (): void => {
    ec2?.destroy();
    ec2 = undefined;
  };
  return Object.assign(resolve, { destroy });
}

/** The parts of a RunEnv that need a node: probe servers, probes, process faults. */
export type NodeRunEnv = Pick<RunEnv, "startServers" | "stopServers" | "reach" | "processFault">;

/** Everything else: the controller's APIs, time and the log. */
export type ControllerRunEnv = Omit<RunEnv, keyof NodeRunEnv>;

export function controllerRunEnv(opts: {
  /** The JSON API (/v1) and FIS. */
  endpoint: string;
  /** The EC2 Query API (the same URL for a controller on one port). */
  ec2Endpoint: string;
  /** The agent id of a node (its ENI counters are those of the agent's ENIs); throws for an unknown node. */
  agentIdOf: (node: string) => string;
  log: (line: string) => void;
}): ControllerRunEnv {
  const { endpoint } = opts;
  const faults = new FaultClient(endpoint);
  let ec2: EC2Client | undefined;
  const groupIds = new Map<string, string>();
  const ec2Client = () =>
    (ec2 ??= new EC2Client({
      endpoint: opts.ec2Endpoint,
      region,
      credentials,
      maxAttempts: 1,
    }));
  const groupId = async (ref: string): Promise<string> => {
    if (ref.startsWith("sg-")) return ref;
    const known = groupIds.get(ref);
    if (known) return known;
    const r = await ec2Client().send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [ref] }] }),
    );
    const ids = (r.SecurityGroups ?? []).map((g) => g.GroupId!);
    if (ids.length !== 1) {
      throw new Error(
        ids.length === 0
          ? `no security group named '${ref}'`
          : `'${ref}' names ${ids.length} security groups (${ids.join(", ")}): use the sg- id`,
      );
    }
    groupIds.set(ref, ids[0]!);
    return ids[0]!;
  };
  let alarmsAvailable = true;
  const credentials = {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "test",
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
    ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
  };
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
  const fis = new FisClient(endpoint, region, credentials);

  return {
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted || ms <= 0) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        }
        signal?.addEventListener("abort", done);
      }),
    async eniCounters(ref) {
      const agentId = opts.agentIdOf(ref);
      const agents = await getJson<{ agents: { agentId: string; eniIds: string[] }[] }>(
        endpoint,
        "/v1/agents",
      );
      const enis = agents.agents.find((a) => a.agentId === agentId)?.eniIds ?? [];
      const sum: Record<string, number> = {};
      for (const eni of enis) {
        let stored: { counters: Record<string, unknown> };
        try {
          stored = await getJson(endpoint, `/v1/counters?eni=${encodeURIComponent(eni)}`);
        } catch (err) {
          if (err instanceof FaultApiError && err.status === 404) continue; // no report yet
          throw err;
        }
        for (const [k, v] of Object.entries(stored.counters)) {
          if (typeof v === "number") sum[k] = (sum[k] ?? 0) + v;
          else if (k === "drops" && v && typeof v === "object") {
            for (const [reason, n] of Object.entries(v as Record<string, number>)) {
              sum[`drops.${reason}`] = (sum[`drops.${reason}`] ?? 0) + n;
            }
          }
        }
      }
      return sum;
    },
    async addFault(request) {
      return waitEnforced(faults, await faults.add(request));
    },
    async addPartition(request) {
      return waitEnforced(faults, await faults.partition(request));
    },
    getFault: (id) => faults.get(id),
    async removeFault(id) {
      try {
        await faults.remove(id);
      } catch (err) {
        if (err instanceof FaultApiError && err.status === 404) return;
        throw err;
      }
    },
    async ec2(action, rule) {
      const id = await groupId(rule.group);
      const perm = await permission(rule, groupId, action.startsWith("authorize"));
      const input = { GroupId: id, IpPermissions: [perm] };
      const c = ec2Client();
      const cmd = commandOf(action, input);
      await c.send(cmd as never);
      return `${action} ${id}`;
    },
    async fisStart(ref, tags) {
      let templateId: string;
      let created = false;
      if (ref.create !== undefined) {
        templateId = await fis.createTemplate({
          ...ref.create,
          tags: { ...(ref.create.tags as object), ...tags },
        });
        created = true;
      } else if (ref.template!.startsWith("tag:")) {
        const [key, ...rest] = ref.template!.slice(4).split("=");
        const ids = await fis.templatesTagged(key!, rest.join("="));
        if (ids.length !== 1) {
          throw new Error(
            ids.length === 0
              ? `no FIS experiment template is tagged ${ref.template!.slice(4)}`
              : `${ids.length} FIS experiment templates are tagged ${ref.template!.slice(4)} (${ids.join(", ")}): use the EXT... id`,
          );
        }
        templateId = ids[0]!;
      } else {
        templateId = ref.template!;
      }
      try {
        return { experiment: await fis.start(templateId, tags), templateId, created };
      } catch (err) {
        if (created) await fis.deleteTemplate(templateId).catch(() => undefined);
        throw err;
      }
    },
    fisGet: (id) => fis.get(id),
    fisStop: (id) => fis.stop(id),
    fisDeleteTemplate: (id) => fis.deleteTemplate(id),
    async setAlarm(name, stateValue, reason) {
      if (!alarmsAvailable) return false;
      const res = await fetch(new URL(`/v1/alarms/${encodeURIComponent(name)}`, endpoint), {
        method: "PUT",
        headers: { ...jsonApiAuthHeaders(), "content-type": "application/json" },
        body: JSON.stringify({ state: stateValue, reason: reason.slice(0, 1000) }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.status === 404 || res.status === 405) {
        alarmsAvailable = false;
        return false;
      }
      if (!res.ok)
        throw new Error(`PUT /v1/alarms/${name}: HTTP ${res.status} ${await res.text()}`);
      return true;
    },
    log: opts.log,
  };
}

function commandOf(action: Ec2Action, input: { GroupId: string; IpPermissions: IpPermission[] }) {
  switch (action) {
    case "authorize-ingress":
      return new AuthorizeSecurityGroupIngressCommand(input);
    case "revoke-ingress":
      return new RevokeSecurityGroupIngressCommand(input);
    case "authorize-egress":
      return new AuthorizeSecurityGroupEgressCommand(input);
    case "revoke-egress":
      return new RevokeSecurityGroupEgressCommand(input);
  }
}

async function permission(
  rule: Ec2RuleSpec,
  groupId: (ref: string) => Promise<string>,
  withDescription: boolean,
): Promise<IpPermission> {
  const d =
    withDescription && rule.description !== undefined ? { Description: rule.description } : {};
  return {
    IpProtocol: rule.protocol,
    ...(rule.fromPort !== undefined
      ? { FromPort: rule.fromPort, ToPort: rule.toPort }
      : rule.protocol === "icmp"
        ? { FromPort: -1, ToPort: -1 }
        : {}),
    ...(rule.cidr !== undefined ? { IpRanges: [{ CidrIp: rule.cidr, ...d }] } : {}),
    ...(rule.sourceGroup !== undefined
      ? { UserIdGroupPairs: [{ GroupId: await groupId(rule.sourceGroup), ...d }] }
      : {}),
  };
}

/** Waits (up to 15 s) until every affected agent enforces a new fault, as `chaos add` does. */
async function waitEnforced(client: FaultClient, view: Awaited<ReturnType<FaultClient["get"]>>) {
  let current = view;
  const deadline = Date.now() + 15_000;
  while (current.state === "pending" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    current = await client.get(view.faultId);
  }
  return current;
}

async function getJson<T>(endpoint: string, path: string): Promise<T> {
  const res = await fetch(new URL(path, endpoint), {
    headers: jsonApiAuthHeaders(),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  if (!res.ok) {
    let code = `HTTP_${res.status}`;
    let message = text.slice(0, 200);
    try {
      const e = JSON.parse(text) as { code?: string; message?: string };
      code = e.code ?? code;
      message = e.message ?? message;
    } catch {
      // Why: not JSON; keep the raw text.
    }
    throw new FaultApiError(res.status, code, message);
  }
  return JSON.parse(text) as T;
}
