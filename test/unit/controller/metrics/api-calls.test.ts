import { describe, expect, it } from "vitest";
import { apiActionOf, apiCodeOf } from "../../../../controller/metrics/api-calls.js";

const q = (s: string) => new URLSearchParams(s);

describe("apiActionOf", () => {
  it.each([
    ["ec2", "POST", "/", "Action=DescribeVpcs&Version=2016-11-15", "DescribeVpcs"],
    ["ec2", "POST", "/", "Action=NoSuchThing", "unknown"],
    ["ec2", "POST", "/", "", "unknown"],
    ["ec2", "POST", "/", "Action=constructor", "unknown"],
    ["sts", "POST", "/", "Action=GetCallerIdentity", "GetCallerIdentity"],
    ["sts", "POST", "/", "Action=DescribeVpcs", "unknown"],
    ["cloudformation", "POST", "/", "Action=CreateStack", "CreateStack"],
    ["fis", "POST", "/experimentTemplates", "", "CreateExperimentTemplate"],
    ["fis", "GET", "/experiments/EXP1", "", "GetExperiment"],
    ["fis", "DELETE", "/experiments/EXP1", "", "StopExperiment"],
    ["fis", "GET", "/experiments/EXP1/resolvedTargets", "", "ListExperimentResolvedTargets"],
    ["fis", "GET", "/experiments/EXP1/x", "", "unknown"],
    ["fis", "PUT", "/experiments", "", "unknown"],
    ["nosuch", "POST", "/", "Action=DescribeVpcs", "unknown"],
  ])("%s %s %s %s -> %s", (service, method, path, params, want) => {
    expect(apiActionOf(service, method, path, q(params))).toBe(want);
  });
});

describe("apiCodeOf", () => {
  it("names a success OK", () => {
    expect(apiCodeOf(200, undefined, "")).toBe("OK");
  });

  it("reads the Code of an EC2 XML error body", () => {
    const xml =
      '<?xml version="1.0"?><Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>x</Message></Error></Errors><RequestID>r</RequestID></Response>';
    expect(apiCodeOf(400, undefined, xml)).toBe("InvalidGroup.NotFound");
  });

  it("reads a Query ErrorResponse (STS, CloudFormation)", () => {
    const xml =
      "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>m</Message></Error></ErrorResponse>";
    expect(apiCodeOf(400, undefined, xml)).toBe("ValidationError");
  });

  it("prefers x-amzn-ErrorType (REST-JSON) and drops its namespace", () => {
    expect(apiCodeOf(404, "ResourceNotFoundException:http://internal", "{}")).toBe(
      "ResourceNotFoundException",
    );
  });

  it("bounds the label: a code that is not a plain AWS code, or none, is unknown", () => {
    expect(apiCodeOf(400, undefined, "<Code>not a code; drop table</Code>")).toBe("unknown");
    expect(apiCodeOf(413, undefined, "")).toBe("unknown");
  });
});
