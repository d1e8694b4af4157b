/**
 * Explain's analysis on a three-tier state (three-tier-state.ts): every hop there and back,
 * judged by the agent's matchers (EXP-1..EXP-6, docs/observability.md "Explain").
 */
import { describe, expect, it } from "vitest";
import {
  ExplainError,
  explain,
  type ExplainResult,
  type ExplainSources,
} from "../../../../controller/explain/explain-service.js";
import { ACL, IGW, RTB, SG, WEB_EIP, threeTierState } from "./three-tier-state.js";

const INTERNET = { name: "internet", address: "198.51.100.10" };

function run(
  src: string,
  dst: string,
  opts: Parameters<typeof threeTierState>[0] = {},
  sourcePorts?: string,
): ExplainResult {
  const sources: ExplainSources = { state: threeTierState(opts), externals: [INTERNET] };
  return explain({ src, dst, ...(sourcePorts !== undefined ? { sourcePorts } : {}) }, sources);
}

/** "path hop@node reason" of every denying hop. */
function denials(r: ExplainResult): string[] {
  return r.hops
    .filter((h) => h.verdict === "deny" || h.verdict === "partial")
    .map((h) => `${h.path} ${h.hop} ${h.reason ?? ""} ${h.explanationCode ?? ""}`.trim());
}

describe("explain path analysis (three tiers)", () => {
  it.each([
    // [src, dst, reachable, denials]
    ["web", "app:8080/tcp", true, []],
    ["web", "app:5353/udp", true, []],
    ["web", "app/icmp", true, []],
    ["app", "db:5432/tcp", true, []],
    ["app", "db:6379/tcp", true, []],
    ["web", "web2:80/tcp", true, []],
    ["web", "web2:22/tcp", true, []],
    ["app", "web/icmp", true, []],
    [
      "web",
      "app:9000/tcp",
      false,
      [
        "forward nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
        "forward sg-ingress sg_no_match ENI_SG_RULES_MISMATCH",
      ],
    ],
    ["web", "db:5432/tcp", false, ["return nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION"]],
    [
      "app",
      "db:27017/tcp",
      false,
      [
        "forward nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION",
        "forward nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
        "forward sg-ingress sg_no_match ENI_SG_RULES_MISMATCH",
        // No entry was opened, so db's (empty) egress rules judge the reply.
        "return sg-egress sg_no_match ENI_SG_RULES_MISMATCH",
      ],
    ],
    [
      "app",
      "web:80/tcp",
      false,
      [
        "forward nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION",
        "return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
      ],
    ],
    [
      "db",
      "app:8080/tcp",
      false,
      [
        "forward sg-egress sg_no_match ENI_SG_RULES_MISMATCH",
        "forward sg-ingress sg_no_match ENI_SG_RULES_MISMATCH",
        "return nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION",
        "return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
        "return sg-ingress sg_no_match ENI_SG_RULES_MISMATCH",
      ],
    ],
  ] as const)("%s -> %s: reachable %s (EXP-1, EXP-2, EXP-3)", (src, dst, reachable, denied) => {
    const r = run(src, dst);
    expect(r.reachable).toBe(reachable);
    expect(denials(r)).toEqual(denied);
  });

  it("names the admitting rule and NACL entry of every hop, and conntrack for the reply (EXP-2)", () => {
    const r = run("web", "app:8080/tcp");
    const by = (path: string, hop: string) => r.hops.find((h) => h.path === path && h.hop === hop)!;
    expect(by("forward", "route")).toMatchObject({
      componentId: RTB,
      route: { destination: "10.70.0.0/16", kind: "local" },
    });
    expect(by("forward", "sg-egress")).toMatchObject({ groupId: SG.web, via: "rule" });
    expect(by("forward", "nacl-outbound")).toMatchObject({ componentId: ACL.web, ruleNumber: 100 });
    expect(by("forward", "nacl-inbound")).toMatchObject({ componentId: ACL.app, ruleNumber: 100 });
    expect(by("forward", "sg-ingress").detail).toMatch(
      /app-?|sg-0000000000000e002.*tcp 8080 from sg-0000000000000e001/,
    );
    expect(by("return", "sg-egress")).toMatchObject({ via: "conntrack", groupId: SG.app });
    expect(by("return", "nacl-outbound")).toMatchObject({
      componentId: ACL.app,
      ruleNumber: 100,
      portRanges: [{ from: 32768, to: 60999, allow: true, ruleNumber: 100 }],
    });
    expect(by("return", "nacl-inbound")).toMatchObject({ componentId: ACL.web, ruleNumber: 110 });
    expect(by("return", "sg-ingress")).toMatchObject({ via: "conntrack" });
  });

  it("says which groups matched nothing (EXP-2)", () => {
    const h = run("web", "db:6379/tcp").hops.find((x) => x.hop === "sg-ingress")!;
    expect(h).toMatchObject({
      verdict: "deny",
      componentId: SG.db,
      explanationCode: "ENI_SG_RULES_MISMATCH",
    });
    expect(h.detail).toBe(`no ingress rule of groups [${SG.db}] matched`);
  });

  it("skips NACLs within a subnet (NACL-7)", () => {
    const r = run("web", "web2:80/tcp");
    expect(r.hops.filter((h) => h.hop.startsWith("nacl")).map((h) => h.verdict)).toEqual([
      "skip",
      "skip",
      "skip",
      "skip",
    ]);
  });

  it("judges the reply on each part of the ephemeral range (EXP-3)", () => {
    // app's outbound return entry to the web subnet is 1024-65535: all of 1000-2000 but 1000-1023.
    const r = run("web", "app:8080/tcp", {}, "1000-2000");
    const h = r.hops.find((x) => x.path === "return" && x.hop === "nacl-outbound")!;
    expect(h.verdict).toBe("partial");
    expect(h.portRanges).toEqual([
      { from: 1000, to: 1023, allow: false, ruleNumber: 32767 },
      { from: 1024, to: 2000, allow: true, ruleNumber: 100 },
    ]);
    expect(r).toMatchObject({ reachable: false, partial: true, forwardReachable: true });
    expect(run("web", "app:8080/tcp", {}, "1500").reachable).toBe(true);
  });

  it("routes through the internet gateway to web's Elastic IP and back (IGW-5, IGW-6, EXP-5)", () => {
    const r = run("internet", `${WEB_EIP}:80/tcp`, { withIgw: true });
    expect(r.reachable).toBe(true);
    expect(r.destination).toMatchObject({ address: "10.70.1.10", addressedAs: WEB_EIP });
    expect(r.hops.find((h) => h.hop === "internet-gateway")).toMatchObject({
      verdict: "allow",
      componentId: IGW,
    });
    const back = r.hops.find((h) => h.path === "return" && h.hop === "route")!;
    expect(back).toMatchObject({ verdict: "allow", componentId: IGW });
  });

  it("refuses the internet without a gateway route, and a sender without a public IP (IGW-5, IGW-6)", () => {
    // No gateway: no Elastic IP, so the address is nobody's and the internet has no route.
    expect(denials(run("internet", "web:80/tcp"))[0]).toBe(
      "forward route no_route NO_ROUTE_TO_DESTINATION",
    );
    expect(denials(run("app", "internet:443/tcp", { withIgw: true }))).toEqual([
      "forward route no_public_ip",
      "forward nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION",
      "return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
    ]);
    // web has the Elastic IP, but its NACL admits replies only from the VPC.
    expect(denials(run("web", "internet:443/tcp", { withIgw: true }))).toEqual([
      "return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
    ]);
  });

  it("hairpins to a public IP through the internet gateway only from a public IP (IGW-10)", () => {
    const r = run("app", `${WEB_EIP}:80/tcp`, { withIgw: true });
    expect(denials(r)[0]).toBe("forward route no_public_ip");
    expect(r.hops[1]).toMatchObject({ componentId: IGW, route: { kind: "internet-gateway" } });
  });

  it("reports a stopped instance as BAD_STATE (INST-2)", () => {
    expect(denials(run("web", "app:8080/tcp", { stopped: ["app"] }))).toEqual([
      "forward instance instance_stopped BAD_STATE",
    ]);
  });

  it("resolves nodes by Name tag, instance id, ENI id and address", () => {
    const a = run("web", "10.70.2.10:8080/tcp");
    const b = run("i-00000000000000e01", "eni-00000000000000e03:8080/tcp");
    expect(a.source.eniId).toBe(b.source.eniId);
    expect(a.destination.eniId).toBe(b.destination.eniId);
    expect(a.source).toMatchObject({ label: "web", address: "10.70.1.10", policyRevision: 7 });
  });

  it.each([
    [
      "nosuch",
      "app:80/tcp",
      "unknown-node",
      "unknown node 'nosuch' (nodes: web, web2, app, db, internet)",
    ],
    ["web", "10.70.1.300:80/tcp", "bad-address", "'10.70.1.300' is not an IP address"],
    ["web", "app:99999/tcp", "bad-flow", "port '99999' is not a number 0-65535"],
    [
      "web",
      "app/sctp",
      "bad-flow",
      "unknown protocol 'sctp' in 'app/sctp' (tcp, udp, icmp or icmpv6)",
    ],
    ["web", "app/tcp", "bad-flow", "tcp needs a port: 'app:PORT/tcp'"],
    ["web", "app:8/icmp", "bad-flow", "icmp has no port: write 'app/icmp'"],
    [
      "web",
      "web:80/tcp",
      "bad-flow",
      "source and destination are the same ENI (eni-00000000000000e01): such traffic never leaves the node",
    ],
    [
      "10.9.9.9",
      "web:80/tcp",
      "unknown-node",
      "no node has the address 10.9.9.9 (a source must be a node of the emulator)",
    ],
    ["i-0000000000000dead", "web:80/tcp", "unknown-node", "unknown instance 'i-0000000000000dead'"],
  ])("refuses %s -> %s precisely (EXP-6)", (src, dst, kind, message) => {
    let err: unknown;
    try {
      run(src, dst);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExplainError);
    expect(err).toMatchObject({ kind, message });
  });
});
