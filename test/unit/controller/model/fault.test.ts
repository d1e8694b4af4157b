/**
 * Chaos fault bodies (controller/model/fault.ts) and selectors (fault-selector.ts): what is
 * accepted, the defaults filled in, and a precise EMU_ERR_FAULT_INVALID for everything else.
 */
import { describe, expect, it } from "vitest";
import { HubError } from "../../../../controller/hub/hub-errors.js";
import {
  protocolName,
  sanitizeFaultBody,
  sanitizePartitionBody,
} from "../../../../controller/model/fault.js";
import {
  resolveSelector,
  resolveSelectors,
  type SelectorCatalog,
} from "../../../../controller/model/fault-selector.js";

const SG_WEB = "sg-0000000000000000a";
const SG_DB = "sg-0000000000000000b";
const SG_WEB2 = "sg-0000000000000000c";
const SUBNET_A = "subnet-0000000000000000a";
const SUBNET_B = "subnet-0000000000000000b";
const I_WEB = "i-00000000000000001";
const I_DB = "i-00000000000000002";
const ENI_WEB = "eni-00000000000000001";
const PL = "pl-00000000000000001";

const CAT: SelectorCatalog = {
  groups: [
    { groupId: SG_WEB, groupName: "web", vpcId: "vpc-00000000000000001" },
    { groupId: SG_DB, groupName: "db", vpcId: "vpc-00000000000000001" },
    { groupId: SG_WEB2, groupName: "web", vpcId: "vpc-00000000000000002" },
    { groupId: "sg-0000000000000000d", groupName: "cache", vpcId: "vpc-00000000000000001" },
  ],
  subnets: [
    { subnetId: SUBNET_A, name: "private", availabilityZone: "us-east-1a" },
    { subnetId: SUBNET_B, name: "db", availabilityZone: "us-east-1b" },
  ],
  instances: [
    { instanceId: I_WEB, name: "web-1" },
    { instanceId: I_DB, name: "dbhost" },
  ],
  eniIds: [ENI_WEB],
  prefixLists: [{ prefixListId: PL, name: "admins" }],
  nodes: ["internet"],
};

function invalidMessage(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe("EMU_ERR_FAULT_INVALID");
    expect((err as HubError).status).toBe(400);
    return (err as HubError).message;
  }
  throw new Error("expected EMU_ERR_FAULT_INVALID");
}

describe("resolveSelector", () => {
  it.each([
    ["*", "*"],
    [SG_DB, SG_DB],
    ["sg:db", SG_DB],
    [`sg:${SG_WEB}`, SG_WEB],
    ["subnet:private", SUBNET_A],
    [SUBNET_B, SUBNET_B],
    ["instance:web-1", I_WEB],
    [`instance:${I_DB}`, I_DB],
    [I_WEB, I_WEB],
    [ENI_WEB, ENI_WEB],
    [`eni:${ENI_WEB}`, ENI_WEB],
    [PL, PL],
    ["pl:admins", PL],
    ["10.0.1.7/24", "10.0.1.0/24"],
    ["10.0.1.7", "10.0.1.7/32"],
    ["fd00::1", "fd00::1/128"],
    ["2001:db8::/32", "2001:db8::/32"],
    ["tag:Role=web", "tag:Role=web"],
    ["tag:Empty=", "tag:Empty="],
    ["az:us-east-1a", "az:us-east-1a"],
    ["node:internet", "node:internet"],
    ["cache", "sg-0000000000000000d"],
    ["dbhost", I_DB],
    ["us-east-1b", "az:us-east-1b"],
    ["internet", "node:internet"],
    ["private", SUBNET_A],
  ])("resolves %s to %s", (text, want) => {
    expect(resolveSelector(text, CAT)).toBe(want);
  });

  it.each([
    ["sg-0000000000000000f", "no security group 'sg-0000000000000000f'"],
    ["sg:nope", "no security group named 'sg:nope'"],
    ["subnet:nope", "no subnet named 'subnet:nope'"],
    ["subnet-0000000000000000f", "no subnet 'subnet-0000000000000000f'"],
    ["instance:nope", "no instance named 'instance:nope'"],
    ["i-0000000000000000f", "no instance 'i-0000000000000000f'"],
    ["eni-0000000000000000f", "no network interface 'eni-0000000000000000f'"],
    ["pl-0000000000000000f", "no prefix list 'pl-0000000000000000f'"],
    ["10.0.0.300/24", "'10.0.0.300/24': the CIDR does not parse"],
    ["10.0.0.0/33", "'10.0.0.0/33': the CIDR does not parse"],
    ["10.0.0.0/", "'10.0.0.0/': the CIDR does not parse"],
    ["az:mars-1a", "no subnet is in availability zone 'mars-1a' (known: us-east-1a, us-east-1b)"],
    ["node:moon", "no agent hosts an external node 'moon' (known: internet)"],
    ["tag:novalue", "a tag selector is tag:Key=Value"],
    ["nothing", "no security group, subnet, instance, availability zone or external node"],
    ["sg-12", "not a well-formed id"],
    ["", "an empty selector"],
  ])("refuses %j naming it", (text, part) => {
    expect(invalidMessage(() => resolveSelector(text, CAT))).toContain(part);
  });

  it("refuses an ambiguous name listing the candidates", () => {
    const m = invalidMessage(() => resolveSelector("sg:web", CAT));
    expect(m).toContain("'sg:web' is ambiguous");
    expect(m).toContain(SG_WEB);
    expect(m).toContain(SG_WEB2);
    expect(m).toContain("vpc-00000000000000002");
  });

  it("refuses a bare name more than one kind of resource has (group db, subnet db)", () => {
    const m = invalidMessage(() => resolveSelector("db", CAT));
    expect(m).toContain("ambiguous");
    expect(m).toContain(SG_DB);
    expect(m).toContain(SUBNET_B);
  });

  it("takes one string or a non-empty array, deduplicated", () => {
    expect(resolveSelectors("from", "sg:db", CAT)).toEqual([SG_DB]);
    expect(resolveSelectors("from", ["sg:db", SG_DB, "cache"], CAT)).toEqual([
      SG_DB,
      "sg-0000000000000000d",
    ]);
    expect(invalidMessage(() => resolveSelectors("from", [], CAT))).toContain("from must be");
    expect(invalidMessage(() => resolveSelectors("to", [7], CAT))).toContain("selector 7");
  });
});

describe("sanitizeFaultBody", () => {
  it("fills defaults: one-way, every protocol and port, effect defaults, no window", () => {
    const s = sanitizeFaultBody(
      { from: "cache", to: ["sg:db"], effects: { delay: { latencyMs: 50 } } },
      CAT,
    );
    expect(s).toEqual({
      from: ["sg-0000000000000000d"],
      to: [SG_DB],
      direction: "one-way",
      protocol: -1,
      fromPort: -1,
      toPort: -1,
      effects: { delay: { latencyMs: 50, jitterMs: 0, correlation: 0, distribution: "uniform" } },
      queueLimitPackets: 0,
      description: "",
      startAfterMs: 0,
      durationMs: null,
    });
  });

  it("takes every effect with its parameters", () => {
    const s = sanitizeFaultBody(
      {
        from: [SG_WEB],
        to: SG_DB,
        direction: "both",
        protocol: "tcp",
        ports: "8000-8100",
        effects: {
          delay: { latencyMs: 50, jitterMs: 10, correlation: 25, distribution: "normal" },
          loss: { percent: 5, correlation: 1 },
          duplicate: { percent: 1 },
          corrupt: { percent: 0.1 },
          reorder: { percent: 25, correlation: 50, gap: 5 },
          rate: { bitsPerSecond: 10_000_000, queueLimitBytes: 262_144 },
          reject: true,
          conntrack: { allowance: 10, flush: true, timeouts: { udp: 5 } },
        },
        startAfterMs: 1000,
        durationMs: 60_000,
        seed: 42,
        queueLimitPackets: 500,
        description: "slow db",
      },
      CAT,
    );
    expect(s).toMatchObject({
      direction: "both",
      protocol: 6,
      fromPort: 8000,
      toPort: 8100,
      seed: 42,
      queueLimitPackets: 500,
      startAfterMs: 1000,
      durationMs: 60_000,
      description: "slow db",
      effects: {
        loss: { percent: 5, correlation: 1 },
        duplicate: { percent: 1, correlation: 0 },
        corrupt: { percent: 0.1, correlation: 0 },
        reorder: { percent: 25, correlation: 50, gap: 5 },
        rate: { bitsPerSecond: 10_000_000, queueLimitBytes: 262_144 },
        reject: true,
        conntrack: { allowance: 10, flush: true, timeouts: { udp: 5 } },
      },
    });
  });

  it("takes Gilbert-Elliott loss with netem's defaults (r = 100 - p, h = 0, k = 100)", () => {
    const s = sanitizeFaultBody(
      { from: "*", to: "*", effects: { loss: { gilbertElliott: { p: 1 } } } },
      CAT,
    );
    expect(s.effects.loss).toEqual({ gilbertElliott: { p: 1, r: 99, h: 0, k: 100 } });
  });

  it("accepts conntrack effects with from alone", () => {
    const s = sanitizeFaultBody({ from: "sg:db", effects: { conntrack: { flush: true } } }, CAT);
    expect(s.to).toEqual([]);
    expect(s.effects).toEqual({ conntrack: { flush: true } });
  });

  it.each([
    ["protocol udp", { protocol: "udp" }, 17],
    ["protocol 6", { protocol: 6 }, 6],
    ["protocol all", { protocol: "all" }, -1],
    ["protocol icmpv6", { protocol: "icmpv6" }, 58],
    ["protocol '47'", { protocol: "47" }, 47],
  ])("reads %s", (_n, extra, want) => {
    const s = sanitizeFaultBody(
      { from: "*", to: "*", effects: { blackhole: true }, ...extra },
      CAT,
    );
    expect(s.protocol).toBe(want);
  });

  const base = { from: "sg:db", to: "cache" };
  it.each([
    ["no effect", { ...base, effects: {} }, "at least one effect"],
    ["no effects field", { ...base }, "effects must be an object"],
    ["an unknown effect", { ...base, effects: { jam: {} } }, "unknown effect 'effects.jam'"],
    [
      "a delay above 60 s",
      { ...base, effects: { delay: { latencyMs: 60_001 } } },
      "effects.delay.latencyMs 60001 is above 60000 ms (60 s)",
    ],
    [
      "a jitter above 60 s",
      { ...base, effects: { delay: { latencyMs: 1, jitterMs: 70_000 } } },
      "effects.delay.jitterMs 70000 is above 60000",
    ],
    [
      "a negative delay",
      { ...base, effects: { delay: { latencyMs: -1 } } },
      "effects.delay.latencyMs -1 is below 0",
    ],
    [
      "an unknown distribution",
      { ...base, effects: { delay: { latencyMs: 1, distribution: "cauchy" } } },
      'effects.delay.distribution "cauchy"',
    ],
    [
      "loss above 100 %",
      { ...base, effects: { loss: { percent: 150 } } },
      "effects.loss.percent 150 is above 100 %",
    ],
    [
      "Gilbert-Elliott p above 100",
      { ...base, effects: { loss: { gilbertElliott: { p: 101 } } } },
      "effects.loss.gilbertElliott.p 101 is above 100",
    ],
    [
      "a rate of 0",
      { ...base, effects: { rate: { bitsPerSecond: 0 } } },
      "effects.rate.bitsPerSecond must be above 0, got 0",
    ],
    [
      "a non-numeric rate",
      { ...base, effects: { rate: { bitsPerSecond: "10mbit" } } },
      'effects.rate.bitsPerSecond must be a number, got "10mbit"',
    ],
    [
      "reorder without delay",
      { ...base, effects: { reorder: { percent: 5 } } },
      "effects.reorder needs a delay",
    ],
    [
      "blackhole and reject",
      { ...base, effects: { blackhole: true, reject: true } },
      "exclude each other",
    ],
    ["blackhole: 1", { ...base, effects: { blackhole: 1 } }, "effects.blackhole must be true"],
    [
      "an unknown delay field",
      { ...base, effects: { delay: { latencyMs: 1, latency: 2 } } },
      "unknown field 'effects.delay.latency'",
    ],
    [
      "an empty conntrack effect",
      { ...base, effects: { conntrack: {} } },
      "effects.conntrack needs allowance, flush or timeouts",
    ],
    [
      "a conntrack timeout of 0",
      { ...base, effects: { conntrack: { timeouts: { udp: 0 } } } },
      "effects.conntrack.timeouts.udp 0 is below 1",
    ],
    [
      "a fractional allowance",
      { ...base, effects: { conntrack: { allowance: 1.5 } } },
      "effects.conntrack.allowance must be an integer, got 1.5",
    ],
    [
      "an unknown field",
      { ...base, effects: { blackhole: true }, color: 1 },
      "unknown field 'color'",
    ],
    ["no from", { to: "*", effects: { blackhole: true } }, "from is required"],
    ["no to with packet effects", { from: "*", effects: { blackhole: true } }, "to is required"],
    [
      "a bad direction",
      { ...base, direction: "sideways", effects: { blackhole: true } },
      'direction "sideways"',
    ],
    [
      "an unknown protocol",
      { ...base, protocol: "sctp", effects: { blackhole: true } },
      'protocol "sctp" is not one of',
    ],
    [
      "ports without tcp/udp",
      { ...base, ports: "80", effects: { blackhole: true } },
      'ports "80" need protocol tcp or udp',
    ],
    [
      "a reversed port range",
      { ...base, protocol: "tcp", ports: "90-80", effects: { blackhole: true } },
      'ports "90-80"',
    ],
    [
      "a port above 65535",
      { ...base, protocol: "tcp", ports: 70000, effects: { blackhole: true } },
      "ports 70000",
    ],
    [
      "a zero duration",
      { ...base, durationMs: 0, effects: { blackhole: true } },
      "durationMs must be above 0, got 0",
    ],
    [
      "a negative start",
      { ...base, startAfterMs: -5, effects: { blackhole: true } },
      "startAfterMs -5 is below 0",
    ],
    [
      "a seed beyond 32 bits",
      { ...base, seed: 2 ** 32, effects: { blackhole: true } },
      "seed 4294967296 is above 4294967295",
    ],
    [
      "a zero queue limit",
      { ...base, queueLimitPackets: 0, effects: { blackhole: true } },
      "queueLimitPackets 0 is below 1",
    ],
    ["an unknown group", { from: "sg:nope", to: "*", effects: { blackhole: true } }, "sg:nope"],
    ["not an object", [1, 2], "the body must be a JSON object"],
  ])("refuses %s", (_name, body, part) => {
    expect(invalidMessage(() => sanitizeFaultBody(body, CAT))).toContain(part);
  });
});

describe("sanitizePartitionBody", () => {
  it("makes one blackhole fault over the groups", () => {
    const s = sanitizePartitionBody({ groups: [["sg:db"], "cache"], durationMs: 5000 }, CAT);
    expect(s).toMatchObject({
      from: [],
      to: [],
      partition: { groups: [[SG_DB], ["sg-0000000000000000d"]], mode: "complete", oneWay: false },
      direction: "both",
      effects: { blackhole: true },
      durationMs: 5000,
    });
    expect(
      sanitizePartitionBody({ groups: [["sg:db"], ["cache"]], oneWay: true }, CAT).direction,
    ).toBe("one-way");
  });

  it.each([
    ["one group", { groups: [["sg:db"]] }, "at least two groups"],
    ["an unknown mode", { groups: [["*"], ["*"]], mode: "star" }, 'mode "star"'],
    ["majorities-ring of two", { groups: [["*"], ["*"]], mode: "majorities-ring" }, "three"],
    [
      "oneWay with bridge",
      { groups: [["*"], ["*"], ["*"]], mode: "bridge", oneWay: true },
      "oneWay",
    ],
    ["an unknown field", { groups: [["*"], ["*"]], effects: {} }, "unknown field 'effects'"],
    ["an unknown member", { groups: [["sg:db"], ["sg:nope"]] }, "sg:nope"],
  ])("refuses %s", (_n, body, part) => {
    expect(invalidMessage(() => sanitizePartitionBody(body, CAT))).toContain(part);
  });
});

describe("protocolName", () => {
  it.each([
    [-1, "all"],
    [6, "tcp"],
    [17, "udp"],
    [1, "icmp"],
    [58, "icmpv6"],
    [47, "47"],
  ])("%i -> %s", (n, name) => expect(protocolName(n)).toBe(name));
});
