/**
 * A structural fuzzer for the services whose input is a document (issue 14 items 4 and 6):
 * CloudFormation templates (ValidateTemplate, CreateStack), FIS experiment templates
 * (CreateExperimentTemplate, StartExperiment) and the JSON API's fault and alarm bodies. Each
 * request is a valid document with a few nodes replaced (random scalars, lists, objects,
 * intrinsic functions with odd arguments, Object.prototype names as keys and values), sent as
 * JSON text so `__proto__` stays an own key. Every answer must be the service's own error
 * format with a 4xx, or a success: never a 5xx. Used by test/fuzz/services.test.ts.
 */
import type { Agent } from "node:http";
import { httpRequest } from "./ec2-fuzzer.js";
import { PROTOTYPE_NAMES, type Rng } from "./fuzz-random.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const INTRINSICS = [
  "Ref",
  "Fn::GetAtt",
  "Fn::Sub",
  "Fn::Join",
  "Fn::Select",
  "Fn::Split",
  "Fn::GetAZs",
  "Fn::FindInMap",
  "Fn::If",
  "Fn::Equals",
  "Fn::Not",
  "Fn::And",
  "Fn::Or",
  "Fn::ImportValue",
  "Fn::Base64",
  "Fn::Cidr",
  "Condition",
  "Fn::Bogus",
];

function randomScalar(rng: Rng): Json {
  switch (rng.int(0, 9)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1, 1.5, 65536, 2 ** 53, -(2 ** 31), 1e308]);
    case 3:
      return rng.pick(PROTOTYPE_NAMES);
    case 4:
      return rng.pick(["", "x", "10.0.0.0/16", "${Sg}", "${AWS::Region}", "${!x}", "${", "}"]);
    case 5:
      return rng.pick(["AWS::EC2::VPC", "AWS::EC2::SecurityGroup", "AWS::NoSuch", "String"]);
    case 6:
      return rng.pick(["PT1M", "PT0S", "P1D", "ALL", "COUNT(1)", "PERCENT(50)", "COUNT(-1)"]);
    case 7:
      return "x".repeat(rng.int(1, 3000));
    default:
      return rng.pick(["Sg", "Net", "A", "Param", "Cond", "M", "k", "v"]);
  }
}

function randomValue(rng: Rng, depth: number): Json {
  const r = rng.next();
  if (depth > 3 || r < 0.5) return randomScalar(rng);
  if (r < 0.65) return Array.from({ length: rng.int(0, 4) }, () => randomValue(rng, depth + 1));
  if (r < 0.85) return { [rng.pick(INTRINSICS)]: randomValue(rng, depth + 1) };
  const o: { [k: string]: Json } = {};
  for (let i = rng.int(0, 3); i > 0; i--)
    Object.defineProperty(
      o,
      rng.chance(0.4) ? rng.pick(PROTOTYPE_NAMES) : String(randomScalar(rng)),
      {
        value: randomValue(rng, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      },
    );
  return o;
}

/** A copy of `doc` with 1..3 nodes replaced, removed or given an extra key. */
export function mutateJson(rng: Rng, doc: Json): Json {
  let out = structuredClone(doc);
  for (let n = rng.int(1, 3); n > 0; n--) {
    // Collect the containers and pick one.
    const holders: Array<{ [k: string]: Json } | Json[]> = [];
    const walk = (v: Json) => {
      if (v !== null && typeof v === "object") {
        holders.push(v);
        for (const c of Array.isArray(v) ? v : Object.values(v)) walk(c);
      }
    };
    walk(out);
    if (holders.length === 0) {
      out = randomValue(rng, 0);
      continue;
    }
    const h = rng.pick(holders);
    const keys = Array.isArray(h) ? h.map((_v, i) => String(i)) : Object.keys(h);
    const op = rng.int(0, 3);
    if (op === 0 && keys.length > 0) {
      const k = rng.pick(keys);
      if (Array.isArray(h)) h[Number(k)] = randomValue(rng, 1);
      else
        Object.defineProperty(h, k, {
          value: randomValue(rng, 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    } else if (op === 1 && keys.length > 0) {
      const k = rng.pick(keys);
      if (Array.isArray(h)) h.splice(Number(k), 1);
      else delete h[k];
    } else if (Array.isArray(h)) {
      h.push(randomValue(rng, 1));
    } else {
      const k = rng.chance(0.5) ? rng.pick(PROTOTYPE_NAMES) : String(randomScalar(rng));
      Object.defineProperty(h, k, {
        value: randomValue(rng, 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}

const TEMPLATE: Json = {
  AWSTemplateFormatVersion: "2010-09-09",
  Parameters: { Param: { Type: "String", Default: "d", AllowedValues: ["d", "e"] } },
  Mappings: { M: { k: { v: "10.0.0.0/16" } } },
  Conditions: { Cond: { "Fn::Equals": [{ Ref: "Param" }, "d"] } },
  Resources: {
    Sg: {
      Type: "AWS::EC2::SecurityGroup",
      Properties: {
        GroupDescription: { "Fn::Sub": "${Param}-${AWS::Region}" },
        SecurityGroupIngress: [
          {
            IpProtocol: "tcp",
            FromPort: 80,
            ToPort: 80,
            CidrIp: { "Fn::FindInMap": ["M", "k", "v"] },
          },
        ],
        Tags: [{ Key: "k", Value: { "Fn::If": ["Cond", "a", "b"] } }],
      },
    },
  },
  Outputs: {
    Id: { Value: { Ref: "Sg" }, Export: { Name: { "Fn::Sub": "${AWS::StackName}-sg" } } },
    Vpc: { Value: { "Fn::GetAtt": ["Sg", "VpcId"] }, Condition: "Cond" },
  },
};

function fisTemplate(subnetArn: string): Json {
  return {
    description: "d",
    roleArn: "arn:aws:iam::123456789012:role/fis",
    stopConditions: [{ source: "none" }],
    targets: {
      Net: { resourceType: "aws:ec2:subnet", resourceArns: [subnetArn], selectionMode: "ALL" },
    },
    actions: {
      Cut: {
        actionId: "aws:network:disrupt-connectivity",
        parameters: { duration: "PT1M", scope: "all" },
        targets: { Subnets: "Net" },
      },
      Later: {
        actionId: "aws:fis:wait",
        parameters: { duration: "PT1M" },
        startAfter: ["Cut"],
      },
    },
    tags: { k: "v" },
  };
}

const FAULT: Json = {
  from: "*",
  to: "*",
  protocol: "tcp",
  ports: "80",
  effects: { delay: { latencyMs: 5, jitterMs: 1 }, loss: { percent: 1 } },
  durationMs: 1000,
};

export interface ServicesFuzzResult {
  readonly requests: number;
  readonly byStatus: Readonly<Record<number, number>>;
  readonly failures: readonly string[];
  readonly failureCount: number;
  readonly elapsedMs: number;
}

/** Runs `count` mutated-document requests against the controller at `url`. */
export async function runServicesFuzz(
  agent: Agent,
  url: string,
  subnetArn: string,
  count: number,
  rng: Rng,
): Promise<ServicesFuzzResult> {
  const byStatus: Record<number, number> = {};
  const failures: string[] = [];
  let failureCount = 0;
  const started = performance.now();
  const fisAuth =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/fis/aws4_request, SignedHeaders=host, Signature=00";
  let stack = 0;
  for (let i = 0; i < count; i++) {
    const kind = rng.int(0, 3);
    let method = "POST";
    let path = "/";
    let body: string;
    let headers: Record<string, string>;
    let format: "cfn" | "fis" | "json";
    if (kind === 0) {
      format = "cfn";
      headers = { "content-type": "application/x-www-form-urlencoded" };
      const create = rng.chance(0.3);
      body = new URLSearchParams({
        Version: "2010-05-15",
        Action: create ? "CreateStack" : "ValidateTemplate",
        ...(create ? { StackName: `fuzz-${stack++}` } : {}),
        TemplateBody: JSON.stringify(mutateJson(rng, TEMPLATE)),
      }).toString();
    } else if (kind === 1) {
      format = "fis";
      headers = { "content-type": "application/json", authorization: fisAuth };
      path = "/experimentTemplates";
      body = JSON.stringify(mutateJson(rng, fisTemplate(subnetArn)));
    } else if (kind === 2) {
      format = "json";
      headers = { "content-type": "application/json" };
      path = rng.chance(0.8) ? "/v1/faults" : "/v1/faults/partition";
      body = JSON.stringify(
        mutateJson(rng, path === "/v1/faults" ? FAULT : { groups: [["*"], ["10.0.0.0/8"]] }),
      );
    } else {
      format = "json";
      headers = { "content-type": "application/json" };
      method = "PUT";
      path = `/v1/alarms/${encodeURIComponent(rng.chance(0.5) ? rng.pick(PROTOTYPE_NAMES) : "a")}`;
      body = JSON.stringify(mutateJson(rng, { state: "ALARM", reason: "r" }));
    }
    let res: { status: number; headers: Record<string, unknown>; body: string };
    try {
      res = await httpRequest(agent, `${url}${path}`, method, body, headers);
    } catch (err) {
      res = { status: 0, headers: {}, body: (err as Error).message };
    }
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    const bad =
      res.status === 0 || res.status >= 500
        ? `status ${res.status}`
        : res.status >= 400 &&
            !(format === "cfn"
              ? /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>[A-Za-z]+<\/Code><Message>/.test(
                  res.body,
                )
              : format === "fis"
                ? typeof res.headers["x-amzn-errortype"] === "string" &&
                  /^\{"message":/.test(res.body)
                : /^\{"code":"EMU_ERR_[A-Z_]+","message":/.test(res.body))
          ? "an error not in the service's format"
          : undefined;
    if (bad !== undefined) {
      failureCount++;
      if (failures.length < 20)
        failures.push(
          `${bad}: ${res.body.slice(0, 300)}\n    request: ${method} ${path} ${body.slice(0, 800)}`,
        );
    }
  }
  return {
    requests: count,
    byStatus,
    failures,
    failureCount,
    elapsedMs: Math.round(performance.now() - started),
  };
}
