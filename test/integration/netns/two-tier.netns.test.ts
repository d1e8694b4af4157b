/**
 * The seed scenario, everything `vpcemu demo` shows, as assertions: real namespaces, TUN
 * devices, agents over loopback UDP, real TCP/ICMP sockets.
 *
 *   internet 198.51.100.10 --(80, 443 from 0.0.0.0/0; 22 from pl admins)--> web 10.0.1.10
 *        \        (at web's public IP, through the igw: public-rt 0.0.0.0/0)  public 10.0.1.0/24
 *         \--(3306: blocked)--> db 10.0.2.20 <--(3306 from web-sg)-- web, web2 10.0.1.11
 *                               private 10.0.2.0/24, private-acl
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TWO_TIER_EXAMPLE } from "../../../cli/runtime/paths.js";
import { runTwoTierScenario, type ExpectationResult } from "../../../cli/runtime/two-tier-demo.js";
import { startTestRuntime, type TestRuntime } from "../../helpers/netns-runtime.js";

let rt: TestRuntime;
let results: ExpectationResult[] = [];
const lines: string[] = [];

beforeAll(async () => {
  rt = await startTestRuntime(TWO_TIER_EXAMPLE, ["ping"]);
  results = await runTwoTierScenario(rt.runtime, (line) => lines.push(line));
}, 180_000);

afterAll(async () => {
  await rt?.[Symbol.asyncDispose]();
});

describe("two-tier seed scenario on real traffic", () => {
  const expectations: [string, string][] = [
    ["internet -> web:80 at its public IP answers", "IGW-5, RULE-1"],
    ["internet -> web:443 at its public IP answers", "IGW-5"],
    ["internet -> web:80 at its private IP times out (not routed from the internet)", "RT-17"],
    ["internet -> web:80 at its public IP times out (no route to the gateway)", "IGW-5"],
    ["web -> db:3306 connects (db-sg allows web-sg)", "REF-1"],
    ["internet -> db:3306 times out (db has no public IP)", "RT-17, CT-11"],
    ["internet -> web:8080 times out (no rule)", "CT-11"],
    ["internet -> web:80 still answers (replies ride the conntrack entry)", "CT-1"],
    ["ping internet -> web answers and is tracked", "CT-8"],
    ["web -> db:3306 now times out (web has no egress rule)", "RULE-3"],
    ["web2 -> db:3306 connects with no rule change", "REF-2"],
    ["the connection carries data", "-"],
    ["the NACL deny cuts the established connection", "NACL-8"],
    ["lifting the deny revives the same connection", "NACL-8, CT-7"],
    ["the established connection survives the SG rule removal (tracked)", "CT-5"],
    ["a new web -> db:3306 connection times out", "CT-5"],
    ["web -> db:3306 connects again", "-"],
  ];

  it.each(expectations)("%s (%s)", (name) => {
    const r = results.find((x) => x.name === name);
    expect(r, `not run; output:\n${lines.join("\n")}`).toBeDefined();
    expect(r!.pass, `${r!.detail}\n${lines.join("\n")}`).toBe(true);
  });

  it("ran exactly these expectations", () => {
    expect(results.map((r) => r.name)).toEqual(expectations.map(([n]) => n));
  });

  it("shows web's public IP and the gateway route before using them (IGW-5)", () => {
    const webPublic = rt.runtime.applied!.instances.get("web")!.publicIp!;
    expect(webPublic).toMatch(/^198\.1[89]\./);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^Internet gateway: web 10\\.0\\.1\\.10 has public IP ${webPublic.replace(/\./g, "\\.")}; public-rt \\(rtb-\\w+\\) routes 0\\.0\\.0\\.0/0 to igw-\\w+$`,
        ),
      ),
    );
  });

  it("started a node for the instance launched through the API (RunInstances)", () => {
    expect(rt.runtime.node("web2").addresses).toEqual(["10.0.1.11"]);
  });
});
