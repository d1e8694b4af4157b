/**
 * User strings that are also JavaScript's Object.prototype names (`constructor`, `__proto__`,
 * `toString`, `hasOwnProperty`, `valueOf`, `prototype`) are ordinary strings to every service
 * besides EC2 (issue 14 item 4; EC2 is test/integration/ec2-user-strings.test.ts): in
 * CloudFormation templates (logical ids, Parameters, Ref, Fn::GetAtt, Fn::Sub, Fn::FindInMap,
 * Conditions, Outputs, tags), FIS templates (target keys, action names, `targets` references,
 * parameters, tags), the JSON API (/v1/faults bodies and query parameters, /v1/alarms), STS and
 * SigV4, the topology file reader and the experiment file reader. Each answers its own error or
 * succeeds with the name as a name; none answers 5xx, none resolves the name to a prototype
 * member (`Ref: toString` is an unresolved reference, never a function). Raw requests, so no SDK
 * validation stands in between.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { parseTopology } from "../../cli/topology/topology.js";
import { parseExperiment } from "../../cli/chaos/experiment-spec.js";

const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype"];
/** The names a CloudFormation logical id may be (alphanumeric). */
const ALNUM = NAMES.filter((n) => /^[A-Za-z0-9]+$/.test(n));

let ctl: StartedController;
let authCtl: StartedController;
const logs: string[] = [];

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly type: string | null;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text(), type: res.headers.get("x-amzn-errortype") };
}

function query(service: "cfn" | "sts", params: Record<string, string>): Promise<Answer> {
  const version = service === "cfn" ? "2010-05-15" : "2011-06-15";
  return send(ctl.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ Version: version, ...params }).toString(),
  });
}

const code = (body: string): string | undefined => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
const message = (body: string): string =>
  (/<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? "").replace(/&apos;/g, "'");

/** A raw FIS REST-JSON call (the Authorization header only names the service; no auth mode). */
function fis(method: string, path: string, body?: unknown): Promise<Answer> {
  return send(`${ctl.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/fis/aws4_request, SignedHeaders=host, Signature=00",
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

function json(path: string, method = "GET", body?: string): Promise<Answer> {
  return send(`${ctl.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body }),
  });
}

/** JSON text of an object whose keys may include `__proto__` as an own key. */
function objectText(entries: ReadonlyArray<readonly [string, string]>): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
}

async function stackStatus(name: string): Promise<{ status: string; reason: string }> {
  for (let i = 0; i < 400; i++) {
    const r = await query("cfn", { Action: "DescribeStacks", StackName: name });
    const status = /<StackStatus>([^<]+)<\/StackStatus>/.exec(r.body)?.[1] ?? "";
    if (!status.endsWith("_IN_PROGRESS"))
      return {
        status,
        reason: /<StackStatusReason>([^<]*)<\/StackStatusReason>/.exec(r.body)?.[1] ?? "",
      };
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`stack ${name} still in progress`);
}

async function failedResourceReasons(name: string): Promise<string> {
  const r = await query("cfn", { Action: "DescribeStackEvents", StackName: name });
  return r.body;
}

beforeAll(async () => {
  ctl = await new Controller(
    { listen: "127.0.0.1:0", statePath: ":memory:", log: (l) => logs.push(l) },
    { fisTimeScale: 0.001 },
  ).start();
  authCtl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    authKeys: { AKIDEXAMPLE: "secret" },
    log: (l) => logs.push(l),
  }).start();
});

afterAll(async () => {
  await ctl?.stop();
  await authCtl?.stop();
});

/** No service logged an internal error during the test. */
function expectNoInternalErrors(): void {
  expect(logs.filter((l) => /internal|TypeError|ReferenceError|InternalFailure/i.test(l))).toEqual(
    [],
  );
}

/** A cheap resource (a group in the default SG): stacks here make many. */
const SG = { Type: "AWS::EC2::SecurityGroup", Properties: { GroupDescription: "d" } };

describe("CloudFormation: prototype names in templates and requests", () => {
  let n = 0;
  const stackName = () => `names-${++n}`;
  const validate = (template: unknown) =>
    query("cfn", {
      Action: "ValidateTemplate",
      TemplateBody: typeof template === "string" ? template : JSON.stringify(template),
    });

  it("as logical ids: the resources are created under those ids; __proto__ is non alphanumeric", async () => {
    const resources = Object.fromEntries(ALNUM.map((id) => [id, SG]));
    const name = stackName();
    const r = await query("cfn", {
      Action: "CreateStack",
      StackName: name,
      TemplateBody: JSON.stringify({
        Resources: resources,
        Outputs: Object.fromEntries(ALNUM.map((id) => [id, { Value: { Ref: id } }])),
      }),
    });
    expect(r.status, r.body).toBe(200);
    expect((await stackStatus(name)).status).toBe("CREATE_COMPLETE");
    const d = await query("cfn", { Action: "DescribeStackResources", StackName: name });
    for (const id of ALNUM)
      expect(d.body).toContain(`<LogicalResourceId>${id}</LogicalResourceId>`);
    const outs = await query("cfn", { Action: "DescribeStacks", StackName: name });
    for (const id of ALNUM) expect(outs.body).toMatch(new RegExp(`<OutputKey>${id}</OutputKey>`));
    expect(outs.body).not.toContain("function");
    const proto = await validate(
      `{"Resources": {"__proto__": ${JSON.stringify(SG)}, "Sg": ${JSON.stringify(SG)}}}`,
    );
    expect(proto.status).toBe(400);
    expect(message(proto.body)).toContain("Resource name __proto__ is non alphanumeric");
  });

  it.each(NAMES)(
    "Ref / Fn::GetAtt / Fn::Sub of an undeclared %s: unresolved, never a prototype member",
    async (name) => {
      for (const value of [
        { Ref: name },
        { "Fn::Sub": `\${${name}}` },
        { "Fn::Sub": `\${${name}.GroupId}` },
      ]) {
        const r = await validate({
          Resources: { Sg: SG },
          Outputs: { Out: { Value: value } },
        });
        expect(r.status, `${JSON.stringify(value)}: ${r.body}`).toBe(400);
        expect(code(r.body)).toBe("ValidationError");
        expect(message(r.body)).toMatch(/Unresolved resource dependencies|undefined resource/);
      }
      const att = await validate({
        Resources: { Sg: SG },
        Outputs: { Out: { Value: { "Fn::GetAtt": [name, "GroupId"] } } },
      });
      expect(att.status).toBe(400);
      expect(message(att.body)).toContain(`undefined resource ${name}`);
      const attr = await validate({
        Resources: { Sg: SG },
        Outputs: { Out: { Value: { "Fn::GetAtt": ["Sg", name] } } },
      });
      expect(attr.status).toBe(400);
      expect(message(attr.body)).toContain(`does not support attribute type ${name}`);
    },
  );

  it.each(NAMES)(
    "Ref %s at stack time (in a property, Fn::Sub and Fn::FindInMap): the stack fails with the template's error, no resource gets a function",
    async (name) => {
      // Fn::Sub with a variable map that does not name it; Fn::FindInMap of missing keys.
      const cases: Array<[string, unknown]> = [
        ["sub", { "Fn::Sub": [`x-\${${name}}`, { Other: "y" }] }],
        ["map-top", { "Fn::FindInMap": [name, "a", "b"] }],
        ["map-key", { "Fn::FindInMap": ["M", name, "b"] }],
        ["map-leaf", { "Fn::FindInMap": ["M", "a", name] }],
        ["map-proto", { "Fn::FindInMap": ["constructor", "prototype", "toString"] }],
      ];
      for (const [label, value] of cases) {
        const r = await validate({
          Mappings: { M: { a: { b: "10.1.0.0/16" } } },
          Resources: {
            Sg: { Type: "AWS::EC2::SecurityGroup", Properties: { GroupDescription: value } },
          },
        });
        if (r.status === 400) {
          expect(code(r.body), label).toBe("ValidationError");
          continue;
        }
        expect(r.status, `${label}: ${r.body}`).toBe(200);
        const stack = stackName();
        const c = await query("cfn", {
          Action: "CreateStack",
          StackName: stack,
          TemplateBody: JSON.stringify({
            Mappings: { M: { a: { b: "10.1.0.0/16" } } },
            Resources: {
              Sg: { Type: "AWS::EC2::SecurityGroup", Properties: { GroupDescription: value } },
            },
          }),
        });
        if (c.status === 400) {
          expect(code(c.body), label).toBe("ValidationError");
          continue;
        }
        expect(c.status, `${label}: ${c.body}`).toBe(200);
        const s = await stackStatus(stack);
        expect(s.status, `${label}: ${s.reason}`).toMatch(/ROLLBACK_COMPLETE|CREATE_FAILED/);
        const events = await failedResourceReasons(stack);
        expect(events, label).toMatch(/Unresolved|Unable to get mapping|Mapping named/);
        expect(events, label).not.toContain("function");
      }
    },
  );

  it.each(NAMES)(
    "as a parameter name: declared it is a parameter; undeclared it is refused (%s)",
    async (name) => {
      const undeclared = await query("cfn", {
        Action: "CreateStack",
        StackName: stackName(),
        TemplateBody: JSON.stringify({ Resources: { Sg: SG } }),
        "Parameters.member.1.ParameterKey": name,
        "Parameters.member.1.ParameterValue": "x",
      });
      expect(undeclared.status).toBe(400);
      expect(message(undeclared.body)).toContain(
        `Parameters: [${name}] do not exist in the template`,
      );
      const template = objectText([
        ["Parameters", objectText([[name, `{"Type": "String"}`]])],
        [
          "Resources",
          `{"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": {"Ref": ${JSON.stringify(name)}}}}}`,
        ],
        ["Outputs", `{"Echo": {"Value": {"Fn::Sub": "\${${name}}"}}}`],
      ]);
      const missing = await query("cfn", {
        Action: "CreateStack",
        StackName: stackName(),
        TemplateBody: template,
      });
      expect(missing.status).toBe(400);
      expect(message(missing.body)).toContain(`Parameters: [${name}] must have values`);
      const stack = stackName();
      const ok = await query("cfn", {
        Action: "CreateStack",
        StackName: stack,
        TemplateBody: template,
        "Parameters.member.1.ParameterKey": name,
        "Parameters.member.1.ParameterValue": "10.7.0.0/16",
      });
      expect(ok.status, ok.body).toBe(200);
      expect(await stackStatus(stack)).toMatchObject({ status: "CREATE_COMPLETE" });
      const d = await query("cfn", { Action: "DescribeStacks", StackName: stack });
      expect(d.body).toContain(`<ParameterKey>${name}</ParameterKey>`);
      expect(d.body).toContain("<OutputValue>10.7.0.0/16</OutputValue>");
    },
  );

  it.each(NAMES)(
    "as a condition name (%s): undeclared is refused, declared is evaluated",
    async (name) => {
      for (const where of [
        { Resources: { Sg: { ...SG, Condition: name } } },
        {
          Resources: {
            Sg: {
              Type: "AWS::EC2::SecurityGroup",
              Properties: { GroupDescription: { "Fn::If": [name, "a", "b"] } },
            },
          },
        },
        { Resources: { Sg: SG }, Outputs: { O: { Value: "x", Condition: name } } },
        {
          Conditions: { C: { Condition: name } },
          Resources: { Sg: SG },
        },
      ]) {
        const r = await validate(where);
        expect(r.status, JSON.stringify(where)).toBe(400);
        expect(message(r.body)).toMatch(/Unresolved condition dependenc/);
      }
      const stack = stackName();
      const ok = await query("cfn", {
        Action: "CreateStack",
        StackName: stack,
        TemplateBody: objectText([
          ["Conditions", objectText([[name, `{"Fn::Equals": ["a", "b"]}`]])],
          [
            "Resources",
            `{"Sg": ${JSON.stringify(SG)}, "Skipped": {"Type": "AWS::EC2::SecurityGroup", "Condition": ${JSON.stringify(name)}, "Properties": {"GroupDescription": "d"}}}`,
          ],
        ]),
      });
      expect(ok.status, ok.body).toBe(200);
      expect((await stackStatus(stack)).status).toBe("CREATE_COMPLETE");
      const d = await query("cfn", { Action: "DescribeStackResources", StackName: stack });
      expect(d.body).toContain("<LogicalResourceId>Sg</LogicalResourceId>");
      expect(d.body).not.toContain("<LogicalResourceId>Skipped</LogicalResourceId>");
    },
  );

  it("as output names, stack tag keys and resource tag keys: stored and answered as names", async () => {
    const stack = stackName();
    const tags: Record<string, string> = {};
    NAMES.forEach((k, i) => {
      tags[`Tags.member.${i + 1}.Key`] = k;
      tags[`Tags.member.${i + 1}.Value`] = `v-${k}`;
    });
    const r = await query("cfn", {
      Action: "CreateStack",
      StackName: stack,
      TemplateBody: objectText([
        [
          "Resources",
          JSON.stringify({
            Sg: {
              Type: "AWS::EC2::SecurityGroup",
              Properties: {
                GroupDescription: "d",
                Tags: NAMES.map((k) => ({ Key: k, Value: `r-${k}` })),
              },
            },
          }),
        ],
        ["Outputs", objectText(NAMES.map((k) => [k, `{"Value": "o-${k}"}`]))],
      ]),
      ...tags,
    });
    expect(r.status, r.body).toBe(200);
    expect((await stackStatus(stack)).status).toBe("CREATE_COMPLETE");
    const d = await query("cfn", { Action: "DescribeStacks", StackName: stack });
    for (const k of NAMES) {
      expect(d.body).toContain(`<OutputKey>${k}</OutputKey>`);
      expect(d.body).toContain(`<OutputValue>o-${k}</OutputValue>`);
      expect(d.body).toContain(`<Key>${k}</Key>`);
    }
    const res = await query("cfn", { Action: "DescribeStackResources", StackName: stack });
    const groupId = /<PhysicalResourceId>(sg-[0-9a-f]+)<\/PhysicalResourceId>/.exec(res.body)?.[1];
    const ec2 = await send(ctl.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        Action: "DescribeSecurityGroups",
        Version: "2016-11-15",
        "GroupId.1": groupId ?? "",
      }).toString(),
    });
    for (const k of NAMES) {
      expect(ec2.body).toContain(`<key>${k}</key>`);
      // The stack's tags go to its resources too (aws:cloudformation:* and the stack tags).
      expect(ec2.body).toMatch(new RegExp(`<value>(r|v)-${k}</value>`));
    }
  });

  it("a __proto__ property is an extraneous key of the resource, not dropped", async () => {
    const stack = stackName();
    const r = await query("cfn", {
      Action: "CreateStack",
      StackName: stack,
      TemplateBody: `{"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "d", "__proto__": {"x": 1}}}}}`,
    });
    if (r.status === 400) {
      expect(message(r.body)).toContain("__proto__");
      return;
    }
    expect(r.status, r.body).toBe(200);
    const s = await stackStatus(stack);
    expect(s.status).toMatch(/ROLLBACK_COMPLETE|CREATE_FAILED/);
    expect(await failedResourceReasons(stack)).toContain("extraneous key [__proto__]");
  });

  it("as action and parameter names: InvalidAction and AWS's errors, never 5xx", async () => {
    for (const n of NAMES) {
      const a = await query("cfn", { Action: n });
      expect(a.status, a.body).toBe(400);
      const p = await query("cfn", { Action: "DescribeStacks", StackName: n, [n]: "x" });
      expect(p.status, p.body).toBeLessThan(500);
    }
    expectNoInternalErrors();
  });
});

describe("FIS: prototype names in templates and tags", () => {
  let subnetArn = "";
  const target = () => ({
    resourceType: "aws:ec2:subnet",
    resourceArns: [subnetArn],
    selectionMode: "ALL",
  });
  const action = (targets: string) =>
    `{"actionId": "aws:network:disrupt-connectivity", "parameters": {"duration": "PT1M"}, "targets": {"Subnets": ${JSON.stringify(targets)}}}`;
  const template = (targets: string, actions: string, extra = "") =>
    `{"description": "d", "roleArn": "arn:aws:iam::123456789012:role/fis", "stopConditions": [{"source": "none"}], "targets": ${targets}, "actions": ${actions}${extra}}`;

  beforeAll(async () => {
    const ec2 = (params: Record<string, string>) =>
      send(ctl.url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ Version: "2016-11-15", ...params }).toString(),
      });
    const vpc = await ec2({ Action: "CreateVpc", CidrBlock: "10.9.0.0/16" });
    const vpcId = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(vpc.body)![1]!;
    const sub = await ec2({ Action: "CreateSubnet", VpcId: vpcId, CidrBlock: "10.9.1.0/24" });
    const subnetId = /<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/.exec(sub.body)![1]!;
    subnetArn = `arn:aws:ec2:us-east-1:123456789012:subnet/${subnetId}`;
  });

  it.each(NAMES)(
    "%s as a target key and an action name: the template keeps both under that name",
    async (name) => {
      const r = await fis(
        "POST",
        "/experimentTemplates",
        template(
          objectText([[name, JSON.stringify(target())]]),
          objectText([[name, action(name)]]),
        ),
      );
      expect(r.status, r.body).toBe(200);
      const t = (
        JSON.parse(r.body) as { experimentTemplate: Record<string, Record<string, unknown>> }
      ).experimentTemplate;
      expect(Object.keys(t["targets"]!)).toEqual([name]);
      expect(Object.keys(t["actions"]!)).toEqual([name]);
      expect(Object.hasOwn(t["targets"]!, name)).toBe(true);
      const got = await fis("GET", `/experimentTemplates/${(t as unknown as { id: string }).id}`);
      expect(Object.keys(JSON.parse(got.body).experimentTemplate.actions)).toEqual([name]);
    },
  );

  it.each(NAMES)(
    "an action's target naming %s, which the template does not define: ValidationException",
    async (name) => {
      const r = await fis(
        "POST",
        "/experimentTemplates",
        template(
          objectText([["Net", JSON.stringify(target())]]),
          objectText([["A", action(name)]]),
        ),
      );
      expect(r.status, r.body).toBe(400);
      expect(r.type).toBe("ValidationException");
      expect(JSON.parse(r.body).message).toContain(`names '${name}', which is not a target key`);
    },
  );

  it.each(NAMES)(
    "%s as an action's target name, parameter name and startAfter: ValidationException",
    async (name) => {
      const targets = objectText([["Net", JSON.stringify(target())]]);
      const bad = [
        `{"actionId": "aws:network:disrupt-connectivity", "parameters": {"duration": "PT1M"}, "targets": ${objectText([[name, '"Net"']])}}`,
        `{"actionId": "aws:network:disrupt-connectivity", "parameters": ${objectText([
          ["duration", '"PT1M"'],
          [name, '"x"'],
        ])}, "targets": {"Subnets": "Net"}}`,
        `{"actionId": "aws:network:disrupt-connectivity", "parameters": {"duration": "PT1M"}, "targets": {"Subnets": "Net"}, "startAfter": [${JSON.stringify(name)}]}`,
        `{"actionId": ${JSON.stringify(name)}, "targets": {"Subnets": "Net"}}`,
      ];
      for (const a of bad) {
        const r = await fis("POST", "/experimentTemplates", template(targets, `{"A": ${a}}`));
        expect(r.status, `${a}: ${r.body}`).toBe(400);
        expect(r.type).toBe("ValidationException");
      }
    },
  );

  it("a target filter path through __proto__ or constructor selects nothing", async () => {
    for (const path of ["__proto__", "constructor", "__proto__.toString", "SubnetId.length"]) {
      const t = {
        resourceType: "aws:ec2:subnet",
        resourceTags: { none: "none" },
        selectionMode: "ALL",
      };
      void t;
      const r = await fis(
        "POST",
        "/experimentTemplates",
        template(
          JSON.stringify({
            Net: {
              resourceType: "aws:ec2:subnet",
              resourceArns: [subnetArn],
              selectionMode: "ALL",
              filters: [
                { path, values: ["[object Object]", "function Object() { [native code] }"] },
              ],
            },
          }),
          `{"A": ${action("Net")}}`,
        ),
      );
      expect(r.status, r.body).toBe(200);
      const id = JSON.parse(r.body).experimentTemplate.id as string;
      const s = await fis("POST", "/experiments", { experimentTemplateId: id });
      expect(s.status, s.body).toBe(200);
      const eid = JSON.parse(s.body).experiment.id as string;
      let state = "";
      for (let i = 0; i < 200 && !["failed", "completed", "stopped"].includes(state); i++) {
        await new Promise((res) => setTimeout(res, 10));
        state = JSON.parse((await fis("GET", `/experiments/${eid}`)).body).experiment.state.status;
      }
      expect(state, path).toBe("failed");
    }
  });

  it("an experiment of a template whose action and target are __proto__ keeps them", async () => {
    const r = await fis(
      "POST",
      "/experimentTemplates",
      template(
        objectText([["__proto__", JSON.stringify(target())]]),
        objectText([["__proto__", action("__proto__")]]),
      ),
    );
    const id = JSON.parse(r.body).experimentTemplate.id as string;
    const s = await fis("POST", "/experiments", { experimentTemplateId: id });
    expect(s.status, s.body).toBe(200);
    const e = JSON.parse(s.body).experiment;
    expect(Object.keys(e.actions)).toEqual(["__proto__"]);
    expect(Object.keys(e.targets)).toEqual(["__proto__"]);
    const eid = e.id as string;
    let got: { state: { status: string }; actions: Record<string, unknown> } = e;
    for (let i = 0; i < 300 && got.state.status !== "completed"; i++) {
      await new Promise((res) => setTimeout(res, 10));
      got = JSON.parse((await fis("GET", `/experiments/${eid}`)).body).experiment;
    }
    expect(got.state.status).toBe("completed");
    expect(Object.keys(got.actions)).toEqual(["__proto__"]);
    const resolved = await fis("GET", `/experiments/${eid}/resolvedTargets`);
    expect(resolved.status, resolved.body).toBe(200);
    expect(JSON.parse(resolved.body).resolvedTargets).toEqual([
      expect.objectContaining({ targetName: "__proto__" }),
    ]);
  });

  it("tags named like prototype members: TagResource stores them, ListTags answers them, UntagResource removes them", async () => {
    const r = await fis(
      "POST",
      "/experimentTemplates",
      template(JSON.stringify({ Net: target() }), `{"A": ${action("Net")}}`),
    );
    const arn = JSON.parse(r.body).experimentTemplate.arn as string;
    const path = `/tags/${encodeURIComponent(arn)}`;
    const tagged = await fis(
      "POST",
      path,
      `{"tags": ${objectText(NAMES.map((k) => [k, JSON.stringify(`v-${k}`)]))}}`,
    );
    expect(tagged.status, tagged.body).toBe(200);
    const list = JSON.parse((await fis("GET", path)).body).tags as Record<string, string>;
    expect(Object.keys(list).sort()).toEqual([...NAMES].sort());
    for (const k of NAMES) expect(list[k]).toBe(`v-${k}`);
    const untag = await fis(
      "DELETE",
      `${path}?${NAMES.map((k) => `tagKeys=${encodeURIComponent(k)}`).join("&")}`,
    );
    expect(untag.status, untag.body).toBe(200);
    expect(JSON.parse((await fis("GET", path)).body).tags).toEqual({});
    const badTags = await fis("POST", path, `{"tags": {"toString": 1}}`);
    expect(badTags.status).toBe(400);
  });

  it("prototype names in paths and query parameters: not found or validation, never 5xx", async () => {
    for (const n of NAMES) {
      for (const [method, path] of [
        ["GET", `/experimentTemplates/${n}`],
        ["GET", `/experiments/${n}`],
        ["GET", `/actions/${n}`],
        ["GET", `/targetResourceTypes/${n}`],
        ["GET", `/tags/${n}`],
        ["GET", `/${n}`],
        ["GET", `/experiments?experimentTemplateId=${n}&nextToken=${n}`],
      ] as const) {
        const r = await fis(method, path);
        expect(r.status, `${method} ${path}: ${r.body}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(500);
      }
    }
    expectNoInternalErrors();
  });
});

describe("JSON API: prototype names in fault bodies, alarms and query parameters", () => {
  it.each(NAMES)(
    "%s as a fault's protocol, a field name, an effect name and a selector: EMU_ERR_FAULT_INVALID",
    async (name) => {
      const bodies = [
        `{"from": "*", "to": "*", "protocol": ${JSON.stringify(name)}, "effects": {"blackhole": true}}`,
        `{"from": "*", "to": "*", "protocol": ${JSON.stringify(name.toUpperCase())}, "effects": {"blackhole": true}}`,
        objectText([
          ["from", '"*"'],
          ["to", '"*"'],
          ["effects", '{"blackhole": true}'],
          [name, "1"],
        ]),
        `{"from": "*", "to": "*", "effects": ${objectText([[name, "true"]])}}`,
        `{"from": "*", "to": "*", "effects": {"delay": ${objectText([
          ["latencyMs", "5"],
          [name, "1"],
        ])}}}`,
        `{"from": "*", "to": "*", "effects": {"conntrack": {"timeouts": ${objectText([[name, "5"]])}}}}`,
        `{"from": ${JSON.stringify(name)}, "to": "*", "effects": {"blackhole": true}}`,
        `{"from": "*", "to": ${JSON.stringify(`sg:${name}`)}, "effects": {"blackhole": true}}`,
      ];
      for (const body of bodies) {
        const r = await json("/v1/faults", "POST", body);
        expect(r.status, `${body}: ${r.body}`).toBe(400);
        expect(JSON.parse(r.body).code).toBe("EMU_ERR_FAULT_INVALID");
      }
      const p = await json(
        "/v1/faults/partition",
        "POST",
        objectText([
          ["groups", `[[${JSON.stringify(name)}], ["*"]]`],
          [name, "1"],
        ]),
      );
      expect(p.status, p.body).toBe(400);
    },
  );

  it("prototype names as fault ids, alarm names and query parameters: 4xx, never 5xx", async () => {
    for (const n of NAMES) {
      const paths: Array<[string, string, string?]> = [
        ["GET", `/v1/faults/${n}`],
        ["DELETE", `/v1/faults/${n}`],
        ["GET", `/v1/alarms/${n}`],
        ["GET", `/v1/${n}`],
        ["POST", `/v1/${n}`, "{}"],
        ["GET", `/v1/conntrack?eni=${n}`],
        ["GET", `/v1/conntrack?instance=${n}&refresh=1&timeoutMs=${n}`],
        ["GET", `/v1/counters?eni=${n}`],
        ["GET", `/v1/snapshot?agent=${n}`],
      ];
      for (const [method, path, body] of paths) {
        const r = await json(path, method, body);
        expect(r.status, `${method} ${path}: ${r.body}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(500);
        expect(JSON.parse(r.body).code).toMatch(/^EMU_ERR_/);
      }
      const logs = await json(`/v1/flow-logs?eni=${n}&limit=${n}`);
      expect(logs.status).toBe(200);
      expect(JSON.parse(logs.body).records).toEqual([]);
    }
  });

  it("alarms named like prototype members are alarms; prototype-named body fields are refused", async () => {
    for (const n of ["constructor", "toString", "hasOwnProperty", "valueOf", "prototype"]) {
      const put = await json(`/v1/alarms/${n}`, "PUT", '{"state": "ALARM", "reason": "r"}');
      expect(put.status, put.body).toBe(200);
      const get = await json(`/v1/alarms/${n}`);
      expect(JSON.parse(get.body)).toMatchObject({ name: n, state: "ALARM" });
      const bad = await json(`/v1/alarms/${n}`, "PUT", objectText([[n, '"x"']]));
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body).code).toBe("EMU_ERR_API_ALARM_INVALID");
    }
    const proto = await json("/v1/alarms/x", "PUT", '{"state": "OK", "__proto__": {"y": 1}}');
    expect(proto.status).toBe(400);
    const list = JSON.parse((await json("/v1/alarms")).body).alarms as Array<{ name: string }>;
    expect(list.map((a) => a.name)).toEqual(
      expect.arrayContaining(["constructor", "toString", "hasOwnProperty", "valueOf", "prototype"]),
    );
    expectNoInternalErrors();
  });
});

describe("STS and SigV4: prototype names as actions, parameters and access keys", () => {
  it("as STS actions and parameter names: InvalidAction / AWS's errors, never 5xx", async () => {
    for (const n of NAMES) {
      const a = await query("sts", { Action: n });
      expect(a.status, a.body).toBe(400);
      expect(code(a.body)).toBe("InvalidAction");
      const p = await query("sts", { Action: "GetCallerIdentity", [n]: "x" });
      expect(p.status, p.body).toBeLessThan(500);
      const role = await query("sts", {
        Action: "AssumeRole",
        RoleArn: `arn:aws:iam::123456789012:role/${n}`,
        RoleSessionName: n,
      });
      expect(role.status, role.body).toBeLessThan(500);
    }
  });

  it("as access key ids and signed header names in auth mode: AuthFailure or SignatureDoesNotMatch, never 5xx", async () => {
    // A current date, so the request gets past the clock check (AUTH-1) to the names.
    const stamp = new Date()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z")
      .replace(/[-:]/g, "");
    for (const n of NAMES) {
      for (const [akid, signed] of [
        [n, "host;x-amz-date"],
        ["AKIDEXAMPLE", `host;x-amz-date;${n.toLowerCase()}`],
        ["AKIDEXAMPLE", n],
      ]) {
        for (const service of ["ec2", "sts", "cloudformation"]) {
          const r = await send(authCtl.url, {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              "x-amz-date": stamp,
              authorization: `AWS4-HMAC-SHA256 Credential=${akid}/${stamp.slice(0, 8)}/us-east-1/${service}/aws4_request, SignedHeaders=${signed}, Signature=${"0".repeat(64)}`,
            },
            body: "Action=DescribeVpcs&Version=2016-11-15",
          });
          expect(r.status, `${service} ${akid} ${signed}: ${r.body}`).toBeGreaterThanOrEqual(400);
          expect(r.status, `${service} ${akid} ${signed}: ${r.body}`).toBeLessThan(500);
          expect(code(r.body)).toMatch(/AuthFailure|SignatureDoesNotMatch|InvalidClientTokenId/);
        }
      }
    }
    expectNoInternalErrors();
  });
});

describe("topology files: prototype names as names, protocols and tag keys", () => {
  const file = (protocol: string, tagKey: string, name: string) => `
vpcs:
  - name: ${name}
    cidr: 10.0.0.0/16
subnets:
  - name: ${name}
    vpc: ${name}
    cidr: 10.0.1.0/24
securityGroups:
  - name: ${name}
    vpc: ${name}
    ingress:
      - protocol: ${protocol}
        ports: 80
        cidr: 0.0.0.0/0
instances:
  - name: ${name}
    subnet: ${name}
    securityGroups: [${name}]
    tags:
      "${tagKey}": v
`;

  it.each(NAMES)(
    "%s as a protocol is unknown; as a name it names; as a tag key it is a tag",
    (name) => {
      expect(() => parseTopology(file(name, "k", "web"), "t.yaml")).toThrow(/protocol/);
      const t = parseTopology(file("tcp", name, name === "__proto__" ? "web" : name), "t.yaml");
      expect(t.instances[0]!.tags).toBeDefined();
      expect(Object.keys(t.instances[0]!.tags!)).toEqual([name]);
      expect(t.instances[0]!.tags![name]).toBe("v");
      if (name !== "__proto__") {
        expect(t.securityGroups[0]!.name).toBe(name);
        expect(t.instances[0]!.subnet).toBe(name);
      }
    },
  );

  it.each(NAMES)("an undefined %s as a reference is an unknown name", (name) => {
    const text = file("tcp", "k", "web").replace("subnet: web", `subnet: ${name}`);
    expect(() => parseTopology(text, "t.yaml")).toThrow(/unknown subnet/);
  });
});

describe("experiment files: prototype names as counters and names", () => {
  const file = (counter: string) => `
title: t
hypothesis:
  probes:
    - name: c
      counter:
        node: web
        name: ${counter}
        min: 0
method: []
`;
  it.each(NAMES)("%s as an ENI counter name is an unknown counter", (name) => {
    expect(() => parseExperiment(file(name), "e.yaml")).toThrow(/unknown counter/);
  });

  it("a known counter is accepted", () => {
    expect(parseExperiment(file("packets_accepted"), "e.yaml").probes).toHaveLength(1);
  });
});

describe("objects with their own toString or valueOf key where text is expected (found by test/fuzz/services.test.ts)", () => {
  const odd = ['{"toString": {}}', '{"valueOf": 1, "toString": "x"}', '[{"toString": []}]'];

  it.each(odd)(
    "CloudFormation: %s as a parameter Type, Default, AllowedValues, DependsOn, Condition or DeletionPolicy is a ValidationError",
    async (v) => {
      const templates = [
        `{"Parameters": {"P": {"Type": ${v}}}, "Resources": {"Sg": ${JSON.stringify(SG)}}}`,
        `{"Parameters": {"P": {"Type": "String", "Default": ${v}}}, "Resources": {"Sg": ${JSON.stringify(SG)}}}`,
        `{"Parameters": {"P": {"Type": "String", "AllowedValues": [${v}], "NoEcho": ${v}}}, "Resources": {"Sg": ${JSON.stringify(SG)}}}`,
        `{"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "DependsOn": ${v}, "Properties": {"GroupDescription": "d"}}}}`,
        `{"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Condition": ${v}, "Properties": {"GroupDescription": "d"}}}}`,
        `{"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "DeletionPolicy": ${v}, "Properties": {"GroupDescription": "d"}}}}`,
        `{"Resources": {"Sg": ${JSON.stringify(SG)}}, "Outputs": {"O": {"Value": "x", "Condition": ${v}}}}`,
      ];
      for (const t of templates) {
        const r = await query("cfn", { Action: "ValidateTemplate", TemplateBody: t });
        expect(r.status, `${t}: ${r.body}`).toBeLessThan(500);
      }
      const stack = `odd-${odd.indexOf(v)}`;
      const c = await query("cfn", {
        Action: "CreateStack",
        StackName: stack,
        TemplateBody: `{"Resources": {"Sg": ${JSON.stringify(SG)}}, "Outputs": {"O": {"Value": ${v}}}}`,
      });
      expect(c.status, c.body).toBeLessThan(500);
      if (c.status === 200) expect((await stackStatus(stack)).status).toMatch(/COMPLETE|FAILED/);
      expectNoInternalErrors();
    },
  );

  it.each(odd)(
    "FIS: %s as a resource type, action id, stop condition or filter value is a ValidationException",
    async (v) => {
      const target = (t: string) =>
        `{"description": "d", "roleArn": "arn:aws:iam::123456789012:role/fis", "stopConditions": [{"source": "none"}], "targets": {"Net": ${t}}, "actions": {"A": {"actionId": "aws:fis:wait", "parameters": {"duration": "PT1M"}}}}`;
      for (const body of [
        target(`{"resourceType": ${v}, "resourceTags": {"a": "b"}, "selectionMode": "ALL"}`),
        target(
          `{"resourceType": "aws:ec2:subnet", "resourceTags": {"a": "b"}, "selectionMode": "ALL", "filters": [{"path": "SubnetId", "values": [${v}]}]}`,
        ),
        `{"description": "d", "roleArn": "r", "stopConditions": [{"source": ${v}}], "actions": {"A": {"actionId": "aws:fis:wait", "parameters": {"duration": "PT1M"}}}}`,
        `{"description": "d", "roleArn": "r", "stopConditions": [{"source": "aws:cloudwatch:alarm", "value": ${v}}], "actions": {"A": {"actionId": "aws:fis:wait", "parameters": {"duration": "PT1M"}}}}`,
        `{"description": "d", "roleArn": "r", "stopConditions": [{"source": "none"}], "actions": {"A": {"actionId": ${v}}}}`,
      ]) {
        const r = await fis("POST", "/experimentTemplates", body);
        expect(r.status, `${body}: ${r.body}`).toBeLessThan(500);
      }
      expectNoInternalErrors();
    },
  );

  it.each(odd)("JSON API: %s as an alarm state is EMU_ERR_API_ALARM_INVALID", async (v) => {
    const r = await json("/v1/alarms/odd", "PUT", `{"state": ${v}}`);
    expect(r.status, r.body).toBe(400);
    expect(JSON.parse(r.body).code).toBe("EMU_ERR_API_ALARM_INVALID");
  });
});
