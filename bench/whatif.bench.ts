/**
 * What-if cost (docs/observability.md "What-if"): one POST /v1/whatif's evaluate() over a state
 * of `--enis` ENIs (default 200) in one VPC, `--flows` live tracked flows (default 20,000, spread
 * over the ENIs' conntrack tables) and as many flow-log records, for a revoke that changes every
 * ENI's policy. Prints the median and worst of `--runs` (default 5) evaluations: how long the
 * controller's event loop is held (the state copy, the compile, the judging).
 *
 *   npm run bench:whatif -- [--enis 200] [--flows 20000] [--runs 5]
 */
import { EC2_ACTIONS } from "../controller/ec2/actions.js";
import { compileEniPolicy, PolicyIndex } from "../controller/policy/compile.js";
import type { ConntrackEntryReport } from "../controller/reports/report-types.js";
import { StateStore } from "../controller/store/state-store.js";
import type { RecentFlow } from "../controller/whatif/recent-flows.js";
import { WhatIf, parseWhatIfRequest, queryParamsFromJson } from "../controller/whatif/whatif.js";

const args = process.argv.slice(2);
const arg = (name: string, d: number): number => {
  const i = args.indexOf(name);
  return i < 0 ? d : Number(args[i + 1]);
};
const ENIS = arg("--enis", 200);
const FLOWS = arg("--flows", 20_000);
const RUNS = arg("--runs", 5);

const store = StateStore.open(":memory:");
const ec2 = (action: string, parameters: Record<string, unknown>): void => {
  EC2_ACTIONS[action]!({
    store,
    params: queryParamsFromJson(action, parameters),
    region: "us-east-1",
    accountId: "123456789012",
    dryRun: false,
  });
};
const last = <T>(xs: T[]): T => xs[xs.length - 1]!;
ec2("CreateVpc", { CidrBlock: "10.0.0.0/16" });
const vpcId = last(store.list("vpc").filter((v) => !v.isDefault)).vpcId;
ec2("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.0.0.0/20" });
ec2("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.0.16.0/20" });
const [a, b] = store.list("subnet").filter((s) => s.vpcId === vpcId);
ec2("CreateSecurityGroup", { GroupName: "g", GroupDescription: "g", VpcId: vpcId });
const sg = last(store.list("securityGroup")).groupId;
ec2("AuthorizeSecurityGroupIngress", {
  GroupId: sg,
  IpPermissions: [
    { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/16" }] },
    { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
  ],
});
for (let i = 0; i < ENIS; i++) {
  const subnet = i % 2 === 0 ? a! : b!;
  ec2("CreateNetworkInterface", { SubnetId: subnet.subnetId, SecurityGroupId: [sg] });
}
const state = store.readPolicyState();
const index = new PolicyIndex(state);
const policies = state.networkInterfaces.map((e) => compileEniPolicy(e, index, state.revision));
const byAddr = new Map(state.networkInterfaces.map((e) => [e.privateIpv4[0]!, e.eniId]));
const addrs = [...byAddr.keys()];
const conntrack = new Map<string, ConntrackEntryReport[]>();
const recent: RecentFlow[] = [];
const now = Date.now();
for (let i = 0; i < FLOWS; i++) {
  const src = addrs[i % addrs.length]!;
  const dst = addrs[(i * 7 + 1) % addrs.length]!;
  const sport = 32768 + (i % 28000);
  const dport = i % 2 === 0 ? 22 : 80;
  const e: ConntrackEntryReport = {
    protocol: 6,
    original: { src, srcPort: sport, dst, dstPort: dport },
    reply: { src: dst, srcPort: dport, dst: src, dstPort: sport },
    state: "ESTABLISHED",
    expiresAtMs: now + 3_600_000,
    packetsOriginal: 1,
    bytesOriginal: 60,
    packetsReply: 1,
    bytesReply: 60,
    ruleId: "sgr-x",
    direction: "ingress",
  };
  const eni = byAddr.get(dst)!;
  const list = conntrack.get(eni) ?? [];
  list.push(e);
  conntrack.set(eni, list);
  recent.push({
    eniId: eni,
    protocol: 6,
    src,
    srcPort: sport + 1,
    dst,
    dstPort: dport,
    action: "ACCEPT",
    direction: "ingress",
    endMs: now - 1000,
    tcpFlags: 27,
  });
}
const whatif = new WhatIf({
  store,
  region: "us-east-1",
  accountId: "123456789012",
  source: {
    hostedPolicies: () => policies,
    conntrack: async () => conntrack,
    recentFlows: (since) => recent.filter((f) => f.endMs >= since),
  },
});
const req = parseWhatIfRequest({
  action: "RevokeSecurityGroupIngress",
  parameters: {
    GroupId: sg,
    IpPermissions: [
      { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
    ],
  },
});
const times: number[] = [];
let answer;
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  answer = await whatif.evaluate(req);
  times.push(performance.now() - t0);
}
times.sort((x, y) => x - y);
const a0 = answer as unknown as {
  totals: { survive: number; cut: number; newlyDenied: number };
  unaffected: number;
};
console.log(
  `whatif: ${ENIS} ENIs, ${FLOWS} tracked flows + ${FLOWS} flow-log flows: median ${times[times.length >> 1]!.toFixed(1)} ms, worst ${times[times.length - 1]!.toFixed(1)} ms over ${RUNS} runs (survive ${a0.totals.survive}, cut ${a0.totals.cut}, newly denied ${a0.totals.newlyDenied}, unaffected ${a0.unaffected}; lists hold at most 1000)`,
);
store.close();
