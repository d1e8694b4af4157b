/**
 * A three-tier PolicyState for explain's unit tests (the same policy as
 * test/integration/netns/explain.netns.test.ts's topology):
 *
 *   VPC 10.70.0.0/16, main route table: local, 0.0.0.0/0 -> igw (with `withIgw`)
 *   web 10.70.1.0/24 acl-web: web 10.70.1.10 (Elastic IP 198.18.0.5 with `withIgw`), web2 10.70.1.11
 *   app 10.70.2.0/24 acl-app: app 10.70.2.10
 *   db  10.70.3.0/24 acl-db:  db  10.70.3.10
 *   web-sg: in tcp 80 0.0.0.0/0, tcp 22 10.70.1.0/24, icmp 10.70.0.0/16; out all (default)
 *   app-sg: in tcp 8080, udp 5353, icmp from web-sg; out all
 *   db-sg:  in tcp 5432 from app-sg and web-sg, tcp 6379 from app-sg; out none
 *   NACLs with ephemeral-port return entries (see ACLS below).
 */
import type {
  NaclEntryState,
  NetworkInterfaceState,
  PolicyState,
  SgRuleState,
} from "../../../../controller/policy/policy-state.js";

export const VPC = "vpc-0000000000000e001";
export const RTB = "rtb-0000000000000e001";
export const IGW = "igw-0000000000000e001";
export const SUBNET = {
  web: "subnet-00000000000e0001",
  app: "subnet-00000000000e0002",
  db: "subnet-00000000000e0003",
};
export const ACL = {
  web: "acl-0000000000000e001",
  app: "acl-0000000000000e002",
  db: "acl-0000000000000e003",
};
export const SG = {
  web: "sg-0000000000000e001",
  app: "sg-0000000000000e002",
  db: "sg-0000000000000e003",
};

let ruleSeq = 0;
function rule(groupId: string, isEgress: boolean, r: Partial<SgRuleState>): SgRuleState {
  ruleSeq++;
  return {
    ruleId: `sgr-00000000000e${String(ruleSeq).padStart(4, "0")}`,
    groupId,
    isEgress,
    protocol: "-1",
    fromPort: -1,
    toPort: -1,
    ...r,
  };
}

function tcp(port: number | [number, number]): Partial<SgRuleState> {
  const [f, t] = typeof port === "number" ? [port, port] : port;
  return { protocol: "tcp", fromPort: f, toPort: t };
}

function entry(
  ruleNumber: number,
  egress: boolean,
  ruleAction: "allow" | "deny",
  protocol: string,
  cidrBlock: string,
  ports?: [number, number],
): NaclEntryState {
  return {
    ruleNumber,
    egress,
    ruleAction,
    protocol,
    cidrBlock,
    ...(ports !== undefined ? { portFrom: ports[0], portTo: ports[1] } : {}),
    ...(protocol === "1" ? { icmpType: -1, icmpCode: -1 } : {}),
  };
}

const EPH: [number, number] = [1024, 65535];
const catchAll = (): NaclEntryState[] => [
  entry(32767, false, "deny", "-1", "0.0.0.0/0"),
  entry(32767, true, "deny", "-1", "0.0.0.0/0"),
];

/** The NACL entries, by tier. */
export const ACLS: Record<"web" | "app" | "db", NaclEntryState[]> = {
  web: [
    entry(100, false, "allow", "6", "0.0.0.0/0", [80, 80]),
    entry(105, false, "allow", "6", "10.70.1.0/24", [22, 22]),
    entry(110, false, "allow", "6", "10.70.0.0/16", EPH),
    entry(120, false, "allow", "1", "10.70.0.0/16"),
    entry(130, false, "allow", "17", "10.70.0.0/16", EPH),
    entry(100, true, "allow", "-1", "0.0.0.0/0"),
    ...catchAll(),
  ],
  app: [
    entry(100, false, "allow", "6", "10.70.1.0/24", [8080, 8080]),
    entry(105, false, "allow", "17", "10.70.1.0/24", [5353, 5353]),
    entry(110, false, "allow", "6", "10.70.3.0/24", EPH),
    entry(120, false, "allow", "1", "10.70.1.0/24"),
    entry(130, false, "deny", "6", "10.70.1.0/24", [9000, 9000]),
    entry(100, true, "allow", "6", "10.70.1.0/24", EPH),
    entry(105, true, "allow", "17", "10.70.1.0/24", EPH),
    entry(110, true, "allow", "6", "10.70.3.0/24", [5432, 5432]),
    entry(115, true, "allow", "6", "10.70.3.0/24", [6379, 6379]),
    entry(120, true, "allow", "1", "10.70.1.0/24"),
    ...catchAll(),
  ],
  db: [
    entry(100, false, "allow", "6", "10.70.2.0/24", [5432, 5432]),
    entry(110, false, "allow", "6", "10.70.2.0/24", [6379, 6379]),
    entry(120, false, "allow", "6", "10.70.1.0/24", [5432, 5432]),
    // Why no return entry to the web subnet: the classic mistake explain must catch (EXP-3).
    entry(100, true, "allow", "6", "10.70.2.0/24", EPH),
    ...catchAll(),
  ],
};

function eni(
  name: string,
  n: number,
  tier: "web" | "app" | "db",
  address: string,
  extra: Partial<NetworkInterfaceState> = {},
): NetworkInterfaceState {
  return {
    eniId: `eni-00000000000000e0${n}`,
    subnetId: SUBNET[tier],
    vpcId: VPC,
    instanceId: `i-00000000000000e0${n}`,
    privateIpv4: [address],
    ipv6: [],
    groupIds: [SG[tier]],
    sourceDestCheck: true,
    ...extra,
  };
}

export const WEB_EIP = "198.18.0.5";

/** The state; `withIgw` adds the gateway route and web's Elastic IP. */
export function threeTierState(
  opts: { withIgw?: boolean; stopped?: string[]; routes?: boolean } = {},
): PolicyState {
  ruleSeq = 0;
  const enis = [
    eni(
      "web",
      1,
      "web",
      "10.70.1.10",
      opts.withIgw ? { publicIpv4: [{ publicIp: WEB_EIP, privateIp: "10.70.1.10" }] } : {},
    ),
    eni("web2", 2, "web", "10.70.1.11"),
    eni("app", 3, "app", "10.70.2.10"),
    eni("db", 4, "db", "10.70.3.10"),
  ];
  const names = ["web", "web2", "app", "db"];
  return {
    revision: 7,
    vpcs: [{ vpcId: VPC, cidrBlocks: ["10.70.0.0/16"], ipv6CidrBlocks: [] }],
    subnets: (["web", "app", "db"] as const).map((t, i) => ({
      subnetId: SUBNET[t],
      vpcId: VPC,
      cidrBlock: `10.70.${i + 1}.0/24`,
      networkAclId: ACL[t],
      ...(opts.routes === false ? {} : { routeTableId: RTB }),
    })),
    securityGroups: [
      {
        groupId: SG.web,
        vpcId: VPC,
        groupName: "web-sg",
        rules: [
          rule(SG.web, false, { ...tcp(80), cidrIpv4: "0.0.0.0/0" }),
          rule(SG.web, false, { ...tcp(22), cidrIpv4: "10.70.1.0/24" }),
          rule(SG.web, false, { protocol: "icmp", cidrIpv4: "10.70.0.0/16" }),
          rule(SG.web, true, { cidrIpv4: "0.0.0.0/0" }),
        ],
      },
      {
        groupId: SG.app,
        vpcId: VPC,
        groupName: "app-sg",
        rules: [
          rule(SG.app, false, { ...tcp(8080), referencedGroupId: SG.web }),
          rule(SG.app, false, {
            protocol: "udp",
            fromPort: 5353,
            toPort: 5353,
            referencedGroupId: SG.web,
          }),
          rule(SG.app, false, { protocol: "icmp", referencedGroupId: SG.web }),
          rule(SG.app, true, { cidrIpv4: "0.0.0.0/0" }),
        ],
      },
      {
        groupId: SG.db,
        vpcId: VPC,
        groupName: "db-sg",
        rules: [
          rule(SG.db, false, { ...tcp(5432), referencedGroupId: SG.app }),
          rule(SG.db, false, { ...tcp(5432), referencedGroupId: SG.web }),
          rule(SG.db, false, { ...tcp(6379), referencedGroupId: SG.app }),
        ],
      },
    ],
    networkAcls: (["web", "app", "db"] as const).map((t) => ({
      networkAclId: ACL[t],
      vpcId: VPC,
      isDefault: false,
      entries: ACLS[t],
    })),
    prefixLists: [],
    networkInterfaces: enis,
    instances: enis.map((e, i) => ({
      instanceId: e.instanceId!,
      subnetId: e.subnetId,
      vpcId: VPC,
      state: opts.stopped?.includes(names[i]!) ? "stopped" : "running",
      primaryEniId: e.eniId,
      tags: { Name: names[i]! },
    })),
    routeTables:
      opts.routes === false
        ? []
        : [
            {
              routeTableId: RTB,
              vpcId: VPC,
              routes: [
                { destination: "10.70.0.0/16", target: "local", targetId: "local", active: true },
                ...(opts.withIgw
                  ? [
                      {
                        destination: "0.0.0.0/0",
                        target: "internet-gateway" as const,
                        targetId: IGW,
                        active: true,
                      },
                    ]
                  : []),
              ],
            },
          ],
  };
}
