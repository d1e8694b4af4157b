/**
 * Service dispatch on the one endpoint (controller/services.ts): the signature's service name
 * first, then an unsigned Query request's Version, else EC2.
 */
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { pickService, type AwsServiceDefinition } from "../../../controller/services.js";

const STS: AwsServiceDefinition = {
  name: "sts",
  versions: ["2011-06-15"],
  create: () => () => Promise.resolve(),
};
const CFN: AwsServiceDefinition = {
  name: "cloudformation",
  versions: ["2010-05-15"],
  create: () => () => Promise.resolve(),
};

function req(headers: Record<string, string>, url = "/"): IncomingMessage {
  return { headers, url } as unknown as IncomingMessage;
}

const FORM = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
const signed = (service: string) => ({
  ...FORM,
  authorization: `AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef01`,
});

describe("pickService", () => {
  it("picks the service named in the SigV4 credential scope, whatever the body says", () => {
    const body = Buffer.from("Action=DescribeVpcs&Version=2016-11-15");
    expect(pickService([STS, CFN], req(signed("sts")), body)).toBe(STS);
    expect(pickService([STS, CFN], req(signed("cloudformation")), body)).toBe(CFN);
    expect(pickService([STS, CFN], req(signed("ec2")), body)).toBeUndefined();
  });

  it("reads a pre-signed URL's X-Amz-Credential", () => {
    const url =
      "/?Action=GetCallerIdentity&X-Amz-Credential=AKID%2F20250101%2Fus-east-1%2Fsts%2Faws4_request";
    expect(pickService([STS], req({}, url), Buffer.alloc(0))).toBe(STS);
  });

  it("picks an unsigned Query request by its Version, from the body or the query string", () => {
    expect(
      pickService([STS, CFN], req(FORM), Buffer.from("Action=ListStacks&Version=2010-05-15")),
    ).toBe(CFN);
    expect(
      pickService([STS], req({}, "/?Action=GetCallerIdentity&Version=2011-06-15"), Buffer.alloc(0)),
    ).toBe(STS);
  });

  it("leaves EC2 requests, unknown versions and non-form bodies to EC2 (undefined)", () => {
    expect(
      pickService([STS], req(FORM), Buffer.from("Action=DescribeVpcs&Version=2016-11-15")),
    ).toBeUndefined();
    expect(
      pickService(
        [STS],
        req({ "content-type": "application/json" }),
        Buffer.from("Version=2011-06-15"),
      ),
    ).toBeUndefined();
    expect(pickService([STS], req({}), Buffer.alloc(0))).toBeUndefined();
  });
});
