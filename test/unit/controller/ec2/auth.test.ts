/**
 * SigV4 verification (docs/ec2-api.md, auth mode) against requests signed by the AWS SDK's own
 * signer (@smithy/signature-v4, which @aws-sdk/client-ec2 uses).
 */
import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { verifySigV4 } from "../../../../controller/ec2/auth.js";

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

const KEYS = { AKIDTEST: "s3cr3t" };
const BODY =
  "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=a%20b";

async function sign(service: string, secret = "s3cr3t", path = "/") {
  const signer = new SignatureV4({
    service,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: secret },
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: "127.0.0.1",
    port: 4566,
    path,
    query: {},
    headers: {
      host: "127.0.0.1:4566",
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    },
    body: BODY,
  });
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  return headers;
}

describe("verifySigV4", () => {
  it("accepts a request the SDK signer signed for ec2 with a configured key", async () => {
    const headers = await sign("ec2");
    expect(verifySigV4("POST", "/", headers, Buffer.from(BODY), KEYS)).toBe("AKIDTEST");
  });

  it("rejects a changed body, a wrong secret and another service's scope (SignatureDoesNotMatch, 403)", async () => {
    const headers = await sign("ec2");
    expect(() =>
      verifySigV4("POST", "/", headers, Buffer.from(`${BODY}&DryRun=true`), KEYS),
    ).toThrow(expect.objectContaining({ awsCode: "SignatureDoesNotMatch", status: 403 }));
    const wrong = await sign("ec2", "other");
    expect(() => verifySigV4("POST", "/", wrong, Buffer.from(BODY), KEYS)).toThrow(
      expect.objectContaining({ awsCode: "SignatureDoesNotMatch" }),
    );
    const s3 = await sign("s3");
    expect(() => verifySigV4("POST", "/", s3, Buffer.from(BODY), KEYS)).toThrow(
      "Credential should be scoped to correct service: 'ec2'.",
    );
  });

  it("rejects a missing header and an unknown key with AuthFailure (401)", async () => {
    expect(() => verifySigV4("POST", "/", {}, Buffer.from(BODY), KEYS)).toThrow(
      expect.objectContaining({ awsCode: "AuthFailure", status: 401 }),
    );
    const headers = await sign("ec2");
    expect(() => verifySigV4("POST", "/", headers, Buffer.from(BODY), { OTHER: "x" })).toThrow(
      expect.objectContaining({ awsCode: "AuthFailure", status: 401 }),
    );
  });
});

describe("verifySigV4 against a fixed clock (AUTH-1..AUTH-4)", () => {
  const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
  const MIN = 60_000;
  const signer = (service = "ec2") =>
    new SignatureV4({
      service,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "s3cr3t" },
      sha256: Sha256,
    });
  const req = (headers: Record<string, string> = {}) => ({
    method: "POST",
    protocol: "http:",
    hostname: "127.0.0.1",
    port: 4566,
    path: "/",
    query: {},
    headers: {
      host: "127.0.0.1:4566",
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      ...headers,
    },
    body: BODY,
  });
  const lower = (h: Record<string, string>): IncomingHttpHeaders =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

  it.each([
    [-14, undefined],
    [14, undefined],
    [-16, "RequestExpired"],
    [16, "RequestExpired"],
  ])("a request signed %i minutes from the clock: %s", async (offset, code) => {
    const s = await signer().sign(req(), { signingDate: new Date(NOW + offset * MIN) });
    const run = () =>
      verifySigV4("POST", "/", lower(s.headers), Buffer.from(BODY), KEYS, "ec2", NOW);
    if (code === undefined) expect(run()).toBe("AKIDTEST");
    else expect(run).toThrow(expect.objectContaining({ awsCode: code, status: 400 }));
  });

  it("answers STS's wording for another service", async () => {
    const s = await signer("sts").sign(req(), { signingDate: new Date(NOW - 20 * MIN) });
    expect(() =>
      verifySigV4("POST", "/", lower(s.headers), Buffer.from(BODY), KEYS, "sts", NOW),
    ).toThrow(
      "Signature expired: 20261207T114000Z is now earlier than 20261207T114500Z (20261207T120000Z - 15 min.)",
    );
    const f = await signer("sts").sign(req(), { signingDate: new Date(NOW + 20 * MIN) });
    expect(() =>
      verifySigV4("POST", "/", lower(f.headers), Buffer.from(BODY), KEYS, "sts", NOW),
    ).toThrow(
      "Signature not yet current: 20261207T122000Z is still later than 20261207T121500Z (20261207T120000Z + 15 min.)",
    );
  });

  it("requires host and x-amz-date among the signed headers", async () => {
    for (const [unsigned, text] of [
      ["host", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."],
      ["x-amz-date", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."],
    ] as const) {
      const s = await signer().sign(req(), {
        signingDate: new Date(NOW),
        unsignableHeaders: new Set([unsigned]),
      });
      expect(() =>
        verifySigV4("POST", "/", lower(s.headers), Buffer.from(BODY), KEYS, "ec2", NOW),
      ).toThrow(text);
    }
  });

  it("verifies a pre-signed GET until X-Amz-Date + X-Amz-Expires", async () => {
    const p = await signer().presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        port: 4566,
        path: "/",
        query: { Action: "DescribeVpcs", Version: "2016-11-15" },
        headers: { host: "127.0.0.1:4566" },
      },
      { signingDate: new Date(NOW), expiresIn: 300 },
    );
    const url = `/?${new URLSearchParams(p.query as Record<string, string>).toString()}`;
    const headers = { host: "127.0.0.1:4566" };
    expect(verifySigV4("GET", url, headers, Buffer.alloc(0), KEYS, "ec2", NOW + 299_000)).toBe(
      "AKIDTEST",
    );
    expect(() =>
      verifySigV4("GET", url, headers, Buffer.alloc(0), KEYS, "ec2", NOW + 301_000),
    ).toThrow(expect.objectContaining({ awsCode: "RequestExpired" }));
    expect(() =>
      verifySigV4("GET", `${url}&Extra=1`, headers, Buffer.alloc(0), KEYS, "ec2", NOW),
    ).toThrow(expect.objectContaining({ awsCode: "SignatureDoesNotMatch" }));
  });
});
