/**
 * The instance type catalogue DescribeInstanceTypes answers and RunInstances enforces: per
 * type its vCPUs, memory, hypervisor, architecture, burstability and, what vpcemu enforces, the
 * network limits (maximum network interfaces, private IPv4 and IPv6 addresses per interface).
 * Figures from AWS's EC2 user guide ("Maximum IP addresses per network interface",
 * using-eni.html#AvailableIpPerENI) and instance type pages; a representative subset of the
 * current and older families, not every type AWS sells (docs/ec2-api.md "Instance types").
 */

export interface InstanceTypeInfo {
  readonly instanceType: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly hypervisor: "nitro" | "xen";
  readonly architecture: "x86_64" | "arm64";
  readonly burstable: boolean;
  readonly currentGeneration: boolean;
  readonly freeTierEligible: boolean;
  readonly networkPerformance: string;
  readonly maxNetworkInterfaces: number;
  readonly ipv4PerInterface: number;
  /** 0: the type has no IPv6 support. */
  readonly ipv6PerInterface: number;
}

type Row = readonly [
  type: string,
  vcpus: number,
  memoryMiB: number,
  enis: number,
  ipv4: number,
  network: string,
];

interface Family {
  readonly hypervisor: "nitro" | "xen";
  readonly architecture: "x86_64" | "arm64";
  readonly burstable: boolean;
  readonly currentGeneration: boolean;
  readonly ipv6: boolean;
  readonly rows: readonly Row[];
}

const T3_ROWS = (f: string, network: string): Row[] => [
  [`${f}.nano`, 2, 512, 2, 2, network],
  [`${f}.micro`, 2, 1024, 2, 2, network],
  [`${f}.small`, 2, 2048, 3, 4, network],
  [`${f}.medium`, 2, 4096, 3, 6, network],
  [`${f}.large`, 2, 8192, 3, 12, network],
  [`${f}.xlarge`, 4, 16384, 4, 15, network],
  [`${f}.2xlarge`, 8, 32768, 4, 15, network],
];

const FAMILIES: readonly Family[] = [
  {
    hypervisor: "xen",
    architecture: "x86_64",
    burstable: false,
    currentGeneration: false,
    ipv6: false,
    rows: [
      ["t1.micro", 1, 627, 2, 2, "Very Low"],
      ["m1.small", 1, 1740, 2, 4, "Low"],
      ["m1.medium", 1, 3840, 2, 6, "Moderate"],
      ["m1.large", 2, 7680, 3, 10, "Moderate"],
    ],
  },
  {
    hypervisor: "xen",
    architecture: "x86_64",
    burstable: true,
    currentGeneration: true,
    ipv6: true,
    rows: [
      ["t2.nano", 1, 512, 2, 2, "Low to Moderate"],
      ["t2.micro", 1, 1024, 2, 2, "Low to Moderate"],
      ["t2.small", 1, 2048, 3, 4, "Low to Moderate"],
      ["t2.medium", 2, 4096, 3, 6, "Low to Moderate"],
      ["t2.large", 2, 8192, 3, 12, "Low to Moderate"],
      ["t2.xlarge", 4, 16384, 3, 15, "Moderate"],
      ["t2.2xlarge", 8, 32768, 3, 15, "Moderate"],
    ],
  },
  {
    hypervisor: "nitro",
    architecture: "x86_64",
    burstable: true,
    currentGeneration: true,
    ipv6: true,
    rows: [...T3_ROWS("t3", "Up to 5 Gigabit"), ...T3_ROWS("t3a", "Up to 5 Gigabit")],
  },
  {
    hypervisor: "nitro",
    architecture: "arm64",
    burstable: true,
    currentGeneration: true,
    ipv6: true,
    rows: T3_ROWS("t4g", "Up to 5 Gigabit"),
  },
  {
    hypervisor: "nitro",
    architecture: "x86_64",
    burstable: false,
    currentGeneration: true,
    ipv6: true,
    rows: [
      ["m5.large", 2, 8192, 3, 10, "Up to 10 Gigabit"],
      ["m5.xlarge", 4, 16384, 4, 15, "Up to 10 Gigabit"],
      ["m5.2xlarge", 8, 32768, 4, 15, "Up to 10 Gigabit"],
      ["m5.4xlarge", 16, 65536, 8, 30, "Up to 10 Gigabit"],
      ["m5.8xlarge", 32, 131072, 8, 30, "10 Gigabit"],
      ["m5.12xlarge", 48, 196608, 8, 30, "12 Gigabit"],
      ["m5.16xlarge", 64, 262144, 15, 50, "20 Gigabit"],
      ["m5.24xlarge", 96, 393216, 15, 50, "25 Gigabit"],
      ["c5.large", 2, 4096, 3, 10, "Up to 10 Gigabit"],
      ["c5.xlarge", 4, 8192, 4, 15, "Up to 10 Gigabit"],
      ["c5.2xlarge", 8, 16384, 4, 15, "Up to 10 Gigabit"],
      ["c5.4xlarge", 16, 32768, 8, 30, "Up to 10 Gigabit"],
      ["c5.9xlarge", 36, 73728, 8, 30, "12 Gigabit"],
      ["c5.12xlarge", 48, 98304, 8, 30, "12 Gigabit"],
      ["c5.18xlarge", 72, 147456, 15, 50, "25 Gigabit"],
      ["c5.24xlarge", 96, 196608, 15, 50, "25 Gigabit"],
      ["r5.large", 2, 16384, 3, 10, "Up to 10 Gigabit"],
      ["r5.xlarge", 4, 32768, 4, 15, "Up to 10 Gigabit"],
      ["r5.2xlarge", 8, 65536, 4, 15, "Up to 10 Gigabit"],
      ["r5.4xlarge", 16, 131072, 8, 30, "Up to 10 Gigabit"],
      ["m6i.large", 2, 8192, 3, 10, "Up to 12.5 Gigabit"],
      ["m6i.xlarge", 4, 16384, 4, 15, "Up to 12.5 Gigabit"],
      ["m6i.2xlarge", 8, 32768, 4, 15, "Up to 12.5 Gigabit"],
      ["m6i.4xlarge", 16, 65536, 8, 30, "Up to 12.5 Gigabit"],
      ["c6i.large", 2, 4096, 3, 10, "Up to 12.5 Gigabit"],
      ["c6i.xlarge", 4, 8192, 4, 15, "Up to 12.5 Gigabit"],
      ["m7i.large", 2, 8192, 3, 10, "Up to 12.5 Gigabit"],
      ["m7i.xlarge", 4, 16384, 4, 15, "Up to 12.5 Gigabit"],
    ],
  },
  {
    hypervisor: "nitro",
    architecture: "arm64",
    burstable: false,
    currentGeneration: true,
    ipv6: true,
    rows: [
      ["m6g.medium", 1, 4096, 2, 4, "Up to 10 Gigabit"],
      ["m6g.large", 2, 8192, 3, 10, "Up to 10 Gigabit"],
      ["m6g.xlarge", 4, 16384, 4, 15, "Up to 10 Gigabit"],
      ["c6g.medium", 1, 2048, 2, 4, "Up to 10 Gigabit"],
      ["c6g.large", 2, 4096, 3, 10, "Up to 10 Gigabit"],
      ["m7g.medium", 1, 4096, 2, 4, "Up to 12.5 Gigabit"],
      ["m7g.large", 2, 8192, 3, 10, "Up to 12.5 Gigabit"],
    ],
  },
];

/** Every type vpcemu knows, by name. */
export const INSTANCE_TYPES: ReadonlyMap<string, InstanceTypeInfo> = new Map(
  FAMILIES.flatMap((f) =>
    f.rows.map(
      ([instanceType, vcpus, memoryMiB, enis, ipv4, network]): [string, InstanceTypeInfo] => [
        instanceType,
        {
          instanceType,
          vcpus,
          memoryMiB,
          hypervisor: f.hypervisor,
          architecture: f.architecture,
          burstable: f.burstable,
          currentGeneration: f.currentGeneration,
          freeTierEligible: instanceType === "t2.micro" || instanceType === "t3.micro",
          networkPerformance: network,
          maxNetworkInterfaces: enis,
          ipv4PerInterface: ipv4,
          ipv6PerInterface: f.ipv6 ? ipv4 : 0,
        },
      ],
    ),
  ),
);

/** RunInstances' default InstanceType when none is given (AWS: m1.small). */
export const DEFAULT_INSTANCE_TYPE = "m1.small";

/** The burstable default credit option: `standard` for T2, `unlimited` for T3/T3a/T4g. */
export function defaultCpuCredits(t: InstanceTypeInfo): "standard" | "unlimited" | undefined {
  if (!t.burstable) return undefined;
  return t.instanceType.startsWith("t2.") ? "standard" : "unlimited";
}
