import { describe, expect, it } from "vitest";
import type { MappingEntry } from "../../../../node-agent/filter/policy.js";
import { parseIpAddress } from "../../../../node-agent/packet/address.js";
import { AddressSet, RouteTable } from "../../../../node-agent/pipeline/route-table.js";

const entry = (
  address: string,
  eniId: string,
  vpcId = "vpc-1",
  subnetId = "subnet-a",
): MappingEntry => ({
  address,
  eniId,
  subnetId,
  vpcId,
  agentId: "agent-1",
  endpoint: "127.0.0.1:7001",
});
const bytes = (a: string) => parseIpAddress(a)!;

describe("RouteTable", () => {
  const table = new RouteTable([
    entry("10.0.1.10", "eni-a"),
    entry("2001:db8::10", "eni-a"),
    entry("198.51.100.10", "", "", "internet"),
    entry("not-an-address", "eni-x"),
  ]);

  it("finds IPv4 and IPv6 destinations by their bytes", () => {
    expect(table.lookup(bytes("10.0.1.10"))?.entry.eniId).toBe("eni-a");
    expect(table.lookup(bytes("2001:db8:0:0::10"))?.entry.eniId).toBe("eni-a");
    expect(table.lookup(bytes("10.0.1.11"))).toBeUndefined();
    expect(table.lookup(bytes("2001:db8::11"))).toBeUndefined();
  });

  it('marks external nodes (vpcId "") and precomputes the Geneve ENI option', () => {
    const ext = table.lookup(bytes("198.51.100.10"))!;
    expect(ext.external).toBe(true);
    expect(ext.eniOption.length).toBe(0);
    const a = table.lookup(bytes("10.0.1.10"))!;
    expect(a.external).toBe(false);
    expect(String.fromCharCode(...a.eniOption).replace(/\0+$/, "")).toBe("eni-a");
  });

  it("counts unparsable addresses instead of throwing", () => {
    expect(table.invalid).toBe(1);
  });
});

describe("AddressSet", () => {
  it("holds a port's own addresses of both families", () => {
    const s = new AddressSet(["10.0.1.10", "10.0.1.20", "2001:db8::10"]);
    expect(s.has(bytes("10.0.1.20"))).toBe(true);
    expect(s.has(bytes("2001:db8::10"))).toBe(true);
    expect(s.has(bytes("10.0.1.11"))).toBe(false);
    expect(s.has(bytes("::ffff:10.0.1.10"))).toBe(false);
  });
});
