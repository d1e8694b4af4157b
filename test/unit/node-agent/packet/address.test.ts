import { describe, expect, it } from "vitest";
import {
  formatIpAddress,
  formatIpv4Address,
  formatIpv6Address,
  ipAddressEquals,
  parseIpAddress,
  parseIpv4Address,
  parseIpv6Address,
} from "../../../../node-agent/packet/address.js";

describe("IPv4 address text", () => {
  it.each([
    ["10.0.0.1", [10, 0, 0, 1]],
    ["0.0.0.0", [0, 0, 0, 0]],
    ["255.255.255.255", [255, 255, 255, 255]],
    ["198.51.100.7", [198, 51, 100, 7]],
  ])("parses and formats %s", (text, bytes) => {
    expect([...parseIpv4Address(text)!]).toEqual(bytes);
    expect(formatIpv4Address(Uint8Array.from(bytes))).toBe(text);
  });

  it.each([
    "",
    "10.0.0",
    "10.0.0.1.2",
    "256.0.0.1",
    "10.0.0.01",
    "10.0.0.-1",
    "10..0.1",
    " 10.0.0.1",
    "0x0a.0.0.1",
    "1e1.0.0.1",
  ])("refuses %j", (text) => {
    expect(parseIpv4Address(text)).toBeUndefined();
  });

  it("formats at an offset", () => {
    expect(formatIpv4Address(Uint8Array.from([9, 9, 192, 0, 2, 1]), 2)).toBe("192.0.2.1");
  });
});

describe("IPv6 address text (RFC 4291 2.2, RFC 5952)", () => {
  it.each([
    ["::", "::"],
    ["::1", "::1"],
    ["2001:db8::1", "2001:db8::1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["fe80::", "fe80::"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["::ffff:10.0.0.1", "::ffff:10.0.0.1"],
    ["::ffff:a00:1", "::ffff:10.0.0.1"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
  ])("parses %s and formats it as %s", (text, canonical) => {
    const b = parseIpv6Address(text);
    expect(b).toBeDefined();
    expect(formatIpv6Address(b!)).toBe(canonical);
    expect([...parseIpv6Address(canonical)!]).toEqual([...b!]);
  });

  it.each([
    "",
    ":",
    ":::",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "12345::",
    "g::1",
    "::1%eth0",
    "1:2:3:4:5:6:7:8::",
    "::10.0.0.256",
    "10.0.0.1::",
  ])("refuses %j", (text) => {
    expect(parseIpv6Address(text)).toBeUndefined();
  });
});

describe("family-generic helpers", () => {
  it("parses by the presence of ':' and formats by length", () => {
    expect(parseIpAddress("10.1.2.3")!.length).toBe(4);
    expect(parseIpAddress("2001:db8::")!.length).toBe(16);
    expect(formatIpAddress(parseIpAddress("10.1.2.3")!)).toBe("10.1.2.3");
    expect(formatIpAddress(parseIpAddress("2001:db8::")!)).toBe("2001:db8::");
    expect(formatIpAddress(new Uint8Array(5))).toBe("?");
  });

  it("compares bytes", () => {
    expect(ipAddressEquals(parseIpAddress("10.0.0.1")!, Uint8Array.from([10, 0, 0, 1]))).toBe(true);
    expect(ipAddressEquals(parseIpAddress("10.0.0.1")!, parseIpAddress("10.0.0.2")!)).toBe(false);
    expect(ipAddressEquals(parseIpAddress("::")!, new Uint8Array(4))).toBe(false);
  });
});
