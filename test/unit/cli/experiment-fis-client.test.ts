/**
 * The `fis` step's SigV4 signing (cli/chaos/fis-client.ts) checked by the controller's own
 * verifier (controller/ec2/auth.ts), for a body, a path with an id, a query and a session token.
 */
import { describe, expect, it } from "vitest";
import { verifySigV4 } from "../../../controller/ec2/auth.js";
import { sigV4Headers } from "../../../cli/chaos/fis-client.js";

const KEYS = { AKIDEXAMPLE: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: KEYS.AKIDEXAMPLE };

function verify(method: string, path: string, body: string, extra: object = {}) {
  const url = new URL(path, "http://127.0.0.1:4566");
  const headers = sigV4Headers({
    method,
    url,
    body,
    region: "us-east-1",
    service: "fis",
    credentials: { ...credentials, ...extra },
  });
  return () =>
    verifySigV4(method, `${url.pathname}${url.search}`, headers, Buffer.from(body), KEYS, "fis");
}

describe("fis step: SigV4", () => {
  it("signs requests the controller accepts for the fis service", () => {
    expect(verify("POST", "/experiments", JSON.stringify({ experimentTemplateId: "EXT1" }))()).toBe(
      "AKIDEXAMPLE",
    );
    expect(verify("GET", "/experiments/EXP123abc", "")()).toBe("AKIDEXAMPLE");
    expect(verify("GET", "/experimentTemplates?nextToken=a%2Fb%3D&maxResults=5", "")()).toBe(
      "AKIDEXAMPLE",
    );
    expect(verify("DELETE", "/experiments/EXP1", "", { sessionToken: "tok" })()).toBe(
      "AKIDEXAMPLE",
    );
  });

  it("a wrong secret does not verify", () => {
    const url = new URL("/experiments", "http://127.0.0.1:4566");
    const headers = sigV4Headers({
      method: "GET",
      url,
      body: "",
      region: "us-east-1",
      service: "fis",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wrong" },
    });
    expect(() =>
      verifySigV4("GET", "/experiments", headers, Buffer.alloc(0), KEYS, "fis"),
    ).toThrow();
  });
});
