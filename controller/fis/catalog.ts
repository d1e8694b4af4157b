/**
 * The FIS actions and target resource types vpcemu runs (docs/fis.md), as ListActions /
 * GetAction / ListTargetResourceTypes answer them, and the checks of template values:
 * ISO 8601 durations, selection modes, parameters.
 */
import { FisError } from "./fis-errors.js";

export interface ActionDef {
  readonly id: string;
  readonly description: string;
  /** Parameter name -> { description, required }. */
  readonly parameters: Readonly<Record<string, { description: string; required: boolean }>>;
  /** Target key -> resource type. */
  readonly targets: Readonly<Record<string, string>>;
}

const DURATION = "The duration, from one minute to 12 hours (ISO 8601, e.g. PT5M).";

export const FIS_ACTIONS: readonly ActionDef[] = [
  {
    id: "aws:ec2:reboot-instances",
    description: "Reboot the specified EC2 instances.",
    parameters: {},
    targets: { Instances: "aws:ec2:instance" },
  },
  {
    id: "aws:ec2:stop-instances",
    description: "Stop the specified EC2 instances.",
    parameters: {
      startInstancesAfterDuration: {
        description: `The time to wait before restarting the instances. ${DURATION}`,
        required: false,
      },
    },
    targets: { Instances: "aws:ec2:instance" },
  },
  {
    id: "aws:ec2:terminate-instances",
    description: "Terminate the specified EC2 instances.",
    parameters: {},
    targets: { Instances: "aws:ec2:instance" },
  },
  {
    id: "aws:fis:wait",
    description: "Wait for the specified duration. Stop condition monitoring will continue.",
    parameters: { duration: { description: DURATION, required: true } },
    targets: {},
  },
  {
    id: "aws:network:disrupt-connectivity",
    description: "Deny network traffic to or from the target subnets.",
    parameters: {
      duration: { description: DURATION, required: true },
      scope: {
        description: "The type of traffic to deny: all, availability-zone, prefix-list or vpc.",
        required: false,
      },
      prefixListIdentifier: {
        description: "The ID of the managed prefix list (scope prefix-list).",
        required: false,
      },
    },
    targets: { Subnets: "aws:ec2:subnet" },
  },
  {
    id: "aws:ssm:send-command",
    description: "Run the specified SSM document (AWSFIS-Run-Network-* documents).",
    parameters: {
      documentArn: { description: "The ARN of the document.", required: true },
      documentVersion: { description: "The version of the document.", required: false },
      documentParameters: { description: "The document parameters (JSON).", required: false },
      duration: { description: DURATION, required: true },
    },
    targets: { Instances: "aws:ec2:instance" },
  },
];

export const TARGET_TYPES = [
  {
    resourceType: "aws:ec2:instance",
    description: "An EC2 instance.",
    parameters: {},
  },
  {
    resourceType: "aws:ec2:subnet",
    description: "An EC2 subnet.",
    parameters: {},
  },
] as const;

export function actionDef(id: string): ActionDef | undefined {
  return FIS_ACTIONS.find((a) => a.id === id);
}

/** Milliseconds of an ISO 8601 duration PTnHnMnS (also PnD), or undefined when malformed. */
export function parseIsoDuration(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (m === null || text === "P" || text.endsWith("T")) return undefined;
  const [, d, h, mi, s] = m;
  return (
    ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0)) * 1000
  );
}

export const MIN_DURATION_MS = 60_000;
export const MAX_DURATION_MS = 12 * 3600_000;

/** A duration parameter within PT1M..PT12H, else ValidationException naming it. */
export function checkDuration(action: string, name: string, text: string): number {
  const ms = parseIsoDuration(text);
  if (ms === undefined)
    throw new FisError(
      "ValidationException",
      `Invalid duration '${text}' for parameter ${name} of action ${action}: expected an ISO 8601 duration such as PT5M.`,
    );
  if (ms < MIN_DURATION_MS || ms > MAX_DURATION_MS)
    throw new FisError(
      "ValidationException",
      `The duration '${text}' for parameter ${name} of action ${action} is out of range: it must be from PT1M to PT12H.`,
    );
  return ms;
}

export type SelectionMode =
  | { readonly kind: "ALL" }
  | { readonly kind: "COUNT"; readonly n: number }
  | { readonly kind: "PERCENT"; readonly n: number };

/** ALL | COUNT(n) | PERCENT(n), else ValidationException. */
export function parseSelectionMode(text: string): SelectionMode {
  if (text === "ALL") return { kind: "ALL" };
  const m = /^(COUNT|PERCENT)\((\d+)\)$/.exec(text);
  if (m !== null) {
    const n = Number(m[2]);
    if (m[1] === "COUNT" && n >= 1) return { kind: "COUNT", n };
    if (m[1] === "PERCENT" && n >= 1 && n <= 100) return { kind: "PERCENT", n };
  }
  throw new FisError(
    "ValidationException",
    `Invalid selection mode '${text}': expected ALL, COUNT(n) with n >= 1 or PERCENT(n) with n in 1..100.`,
  );
}

/** The SSM documents FIS provides for network faults that vpcemu turns into chaos faults. */
export const SSM_DOCUMENTS = [
  "AWSFIS-Run-Network-Latency",
  "AWSFIS-Run-Network-Latency-Sources",
  "AWSFIS-Run-Network-Packet-Loss",
  "AWSFIS-Run-Network-Packet-Loss-Sources",
  "AWSFIS-Run-Network-Blackhole-Port",
] as const;
export type SsmDocument = (typeof SSM_DOCUMENTS)[number];

/** The document name of `arn:aws:ssm:REGION::document/NAME`, or undefined. */
export function ssmDocumentOf(arn: string): SsmDocument | undefined {
  const m = /^arn:aws:ssm:[a-z0-9-]+::document\/(.+)$/.exec(arn);
  const name = m?.[1];
  return SSM_DOCUMENTS.find((d) => d === name);
}
