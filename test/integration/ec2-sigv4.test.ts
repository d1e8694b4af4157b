/**
 * SigV4 as AWS checks it (issue 14 item 3; docs/ec2-api.md "Auth mode", AUTH-1..AUTH-4), and
 * the JSON API's key check (docs/json-api.md "Auth mode"), on a
 * controller in auth mode on loopback: clients with a skewed clock (AWS SDK v3
 * `systemClockOffset`), the real aws CLI, a pre-signed GET built with the SDK's own signer
 * (@smithy/signature-v4 `presign`; the aws CLI presigns only S3), and raw requests whose
 * SignedHeaders leave out `host` or `x-amz-date`.
 */
import { createHash, createHmac } from "node:crypto";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Controller, type StartedController } from "../../controller/app.js";
import { jsonApiAuthHeaders } from "../../cli/runtime/api-credentials.js";
import { getJson } from "../../testcontainers/json-api.js";
import { decodeControllerFrame, encodeHelloFrame } from "../../node-agent/control/wire.js";
import { AwsCli } from "../helpers/aws-cli.js";

const AKID = "AKIDSIGV4";
const SECRET = "sigv4-secret";
const MINUTE = 60_000;

class Sha256 {
  private readonly h;
  constructor(secret?: unknown) {
    this.h =
      secret === undefined
        ? createHash("sha256")
        : createHmac("sha256", secret as string | Uint8Array);
  }
  update(data: string | Uint8Array): void {
    this.h.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

let ctl: StartedController;
let host: string;

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    authKeys: { [AKID]: SECRET },
    log: () => {},
  }).start();
  host = new URL(ctl.ec2Endpoint).host;
});
afterAll(async () => {
  await ctl?.stop();
});

function ec2(offsetMs: number, maxAttempts = 1): EC2Client {
  const c = new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    maxAttempts,
  });
  c.config.systemClockOffset = offsetMs;
  return c;
}

function signer(service = "ec2"): SignatureV4 {
  return new SignatureV4({
    service,
    region: "us-east-1",
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    sha256: Sha256,
  });
}

const code = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
const message = (body: string) => /<Message>([^<]*)<\/Message>/.exec(body)?.[1];

describe("auth mode: request time (AUTH-1)", () => {
  it.each([
    ["16 minutes slow", -16 * MINUTE],
    ["16 minutes fast", 16 * MINUTE],
    ["2019", Date.UTC(2019, 0, 1) - Date.now()],
    ["2099", Date.UTC(2099, 0, 1) - Date.now()],
  ])("answers RequestExpired to an SDK whose clock is %s", async (_n, offset) => {
    const err = await ec2(offset)
      .send(new DescribeVpcsCommand({}))
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    expect(err).toMatchObject({ name: "RequestExpired", $metadata: { httpStatusCode: 400 } });
  });

  it("accepts a client 14 minutes off either way", async () => {
    expect((await ec2(-14 * MINUTE).send(new DescribeVpcsCommand({}))).Vpcs).toBeDefined();
    expect((await ec2(14 * MINUTE).send(new DescribeVpcsCommand({}))).Vpcs).toBeDefined();
  });

  it("answers STS's 'Signature expired' SignatureDoesNotMatch wording for sts", async () => {
    const sts = new STSClient({
      endpoint: ctl.url,
      region: "us-east-1",
      credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
      maxAttempts: 1,
    });
    sts.config.systemClockOffset = -20 * MINUTE;
    const err = (await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e)) as {
      name: string;
      message: string;
    };
    expect(err.name).toBe("SignatureDoesNotMatch");
    expect(err.message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    );
  });
});

describe("auth mode: signed headers (AUTH-2, AUTH-3)", () => {
  const BODY = "Action=DescribeVpcs&Version=2016-11-15";

  async function rawSigned(unsigned: string[]): Promise<{ status: number; body: string }> {
    const signed = await signer().sign(
      {
        method: "POST",
        protocol: "http:",
        hostname: "127.0.0.1",
        path: "/",
        query: {},
        headers: {
          host,
          "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        },
        body: BODY,
      },
      { unsignableHeaders: new Set(unsigned) },
    );
    const res = await fetch(ctl.ec2Endpoint, {
      method: "POST",
      headers: Object.fromEntries(
        Object.entries(signed.headers).filter(([k]) => k.toLowerCase() !== "host"),
      ),
      body: BODY,
    });
    return { status: res.status, body: await res.text() };
  }

  it("accepts the SDK signer's request with host and x-amz-date signed", async () => {
    const r = await rawSigned([]);
    expect(r.status).toBe(200);
  });

  it("refuses SignedHeaders without host", async () => {
    const r = await rawSigned(["host"]);
    expect([r.status, code(r.body), message(r.body)]).toEqual([
      403,
      "SignatureDoesNotMatch",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    ]);
  });

  it("refuses SignedHeaders without x-amz-date", async () => {
    const r = await rawSigned(["x-amz-date"]);
    expect([r.status, code(r.body), message(r.body)]).toEqual([
      403,
      "SignatureDoesNotMatch",
      "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
    ]);
  });
});

describe("auth mode: pre-signed query-string requests (AUTH-4)", () => {
  async function presigned(
    query: Record<string, string>,
    opts: { signingDate?: Date; expiresIn?: number } = {},
  ): Promise<string> {
    const r = await signer().presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        path: "/",
        query,
        headers: { host },
      },
      opts,
    );
    const q = new URLSearchParams(r.query as Record<string, string>).toString();
    return `${ctl.ec2Endpoint.replace(/\/$/, "")}/?${q}`;
  }

  it("answers a pre-signed DescribeVpcs, and refuses it once changed or expired", async () => {
    const url = await presigned({ Action: "DescribeVpcs", Version: "2016-11-15" });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("<DescribeVpcsResponse");

    const changed = await fetch(url.replace("DescribeVpcs", "DescribeSubnets"));
    expect([changed.status, code(await changed.text())]).toEqual([403, "SignatureDoesNotMatch"]);

    const old = await presigned(
      { Action: "DescribeVpcs", Version: "2016-11-15" },
      { signingDate: new Date(Date.now() - 10 * MINUTE), expiresIn: 300 },
    );
    const expired = await fetch(old);
    expect([expired.status, code(await expired.text())]).toEqual([400, "RequestExpired"]);

    const longer = await presigned(
      { Action: "DescribeVpcs", Version: "2016-11-15" },
      { signingDate: new Date(Date.now() - 10 * MINUTE), expiresIn: 900 },
    );
    expect((await fetch(longer)).status).toBe(200);
  });

  it("refuses a pre-signed URL missing one of its parameters with IncompleteSignature", async () => {
    const url = await presigned({ Action: "DescribeVpcs", Version: "2016-11-15" });
    const res = await fetch(url.replace(/&X-Amz-SignedHeaders=[^&]*/, ""));
    expect([res.status, code(await res.text())]).toEqual([400, "IncompleteSignature"]);
  });
});

describe("auth mode through the aws CLI", () => {
  it("answers aws ec2 describe-vpcs signed by a configured key, refuses another secret", async () => {
    const cli = new AwsCli({
      endpoint: ctl.ec2Endpoint,
      accessKeyId: AKID,
      secretAccessKey: SECRET,
    });
    try {
      const vpcs = await cli.json<{ Vpcs: unknown[] }>(["ec2", "describe-vpcs"]);
      expect(Array.isArray(vpcs.Vpcs)).toBe(true);
      const bad = await cli.run(["ec2", "describe-vpcs"], { secretAccessKey: "wrong" });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain("(SignatureDoesNotMatch)");
    } finally {
      cli.dispose();
    }
  });
});

describe("auth mode covers the JSON API (docs/json-api.md 'Auth mode')", () => {
  it("refuses /v1 without one of the auth keys, answers Bearer and Basic", async () => {
    const none = await fetch(`${ctl.url}/v1/revision`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: "EMU_ERR_AUTH_API_CREDENTIALS" });
    const wrong = await fetch(`${ctl.url}/v1/agents`, {
      headers: { authorization: `Bearer ${AKID}:wrong` },
    });
    expect(wrong.status).toBe(401);
    const bearer = await fetch(`${ctl.url}/v1/revision`, {
      headers: { authorization: `Bearer ${AKID}:${SECRET}` },
    });
    expect(bearer.status).toBe(200);
    const basic = await fetch(`${ctl.url}/v1/revision`, {
      headers: { authorization: `Basic ${Buffer.from(`${AKID}:${SECRET}`).toString("base64")}` },
    });
    expect(basic.status).toBe(200);
  });

  it("the testcontainers module's JSON calls carry the key pair (user info -> Basic)", async () => {
    const base = new URL(ctl.url);
    base.username = AKID;
    base.password = SECRET;
    expect(await getJson<{ revision: number }>(base.toString(), "/v1/revision")).toMatchObject({
      revision: expect.any(Number),
    });
    await expect(getJson(ctl.url, "/v1/revision")).rejects.toMatchObject({ status: 401 });
  });

  it("the CLI's JSON calls present $VPCEMU_API_KEY", () => {
    expect(jsonApiAuthHeaders({ VPCEMU_API_KEY: `${AKID}:${SECRET}` })).toEqual({
      authorization: `Bearer ${AKID}:${SECRET}`,
    });
    expect(jsonApiAuthHeaders({ AWS_ACCESS_KEY_ID: AKID })).toEqual({});
  });
});

describe("auth mode makes the hub require a token", () => {
  async function hello(url: string, agentId: string, joinToken: string) {
    const ws = new WebSocket(url);
    const frames: Uint8Array[] = [];
    ws.on("message", (d: Buffer) => frames.push(new Uint8Array(d)));
    const closed = new Promise<number>((resolve) => ws.on("close", (c) => resolve(c)));
    await new Promise<void>((resolve, reject) => {
      ws.on("open", () => resolve());
      ws.on("error", reject);
    });
    ws.send(
      encodeHelloFrame({
        agentId,
        joinToken,
        hosting: { instanceIds: [], eniIds: [], externals: [], underlayEndpoint: "127.0.0.1:6081" },
        version: "x",
        enforcedRevision: 0,
        agentKey: "",
      }),
    );
    const code = await closed;
    const errors = frames
      .map((f) => decodeControllerFrame(f))
      .flatMap((f) => (f.kind === "error" ? [f.code] : []));
    return { code, errors };
  }

  it("refuses a Hello with no token and no agent key on loopback (no --join-token configured)", async () => {
    const r = await hello(ctl.agentUrl, "stranger", "");
    expect(r).toEqual({ code: 4403, errors: ["EMU_ERR_HUB_AGENT_KEY"] });
  });

  it("with --join-token: refuses a wrong token, admits the right one", async () => {
    const withToken = await new Controller({
      listen: "127.0.0.1:0",
      statePath: ":memory:",
      authKeys: { [AKID]: SECRET },
      joinToken: "hub-token",
      log: () => {},
    }).start();
    try {
      const wrong = await hello(withToken.agentUrl, "a1", "nope");
      expect(wrong.errors).toEqual(["EMU_ERR_HUB_JOIN_TOKEN"]);
      const ws = new WebSocket(withToken.agentUrl);
      const first = new Promise<string>((resolve) =>
        ws.on("message", (d: Buffer) => resolve(decodeControllerFrame(new Uint8Array(d)).kind)),
      );
      await new Promise<void>((resolve) => ws.on("open", () => resolve()));
      ws.send(
        encodeHelloFrame({
          agentId: "a1",
          joinToken: "hub-token",
          hosting: {
            instanceIds: [],
            eniIds: [],
            externals: [],
            underlayEndpoint: "127.0.0.1:6081",
          },
          version: "x",
          enforcedRevision: 0,
          agentKey: "",
        }),
      );
      expect(await first).not.toBe("error");
      ws.close();
    } finally {
      await withToken.stop();
    }
  });
});
