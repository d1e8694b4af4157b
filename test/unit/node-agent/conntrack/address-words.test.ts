import { describe, expect, it } from "vitest";
import {
  formatAddressWords,
  parseCidr,
  parseIpv6Words,
} from "../../../../node-agent/conntrack/address-words.js";

describe("address words", () => {
  it.each([
    ["10.0.0.0/16", 4, [0x0a000000], 16],
    ["100.68.0.18/18", 4, [0x64440000], 18], // host bits cleared (RULE-8)
    ["0.0.0.0/0", 4, [0], 0],
    ["192.0.2.7", 4, [0xc0000207], 32],
    ["::/0", 6, [0, 0, 0, 0], 0],
    ["2001:db8::/32", 6, [0x20010db8, 0, 0, 0], 32],
    ["2001:db8:1:2:3:4:5:6/128", 6, [0x20010db8, 0x00010002, 0x00030004, 0x00050006], 128],
    ["2001:db8::ff:1/120", 6, [0x20010db8, 0, 0, 0x00ff0000], 120],
    ["::ffff:192.0.2.1", 6, [0, 0, 0xffff, 0xc0000201], 128],
    ["::192.0.2.1/128", 6, [0, 0, 0, 0xc0000201], 128],
  ] as const)("parses %s", (text, family, words, len) => {
    expect(parseCidr(text)).toEqual({ family, words, prefixLen: len });
  });

  it.each([
    "10.0.0.0/33",
    "10.0.0/8",
    "256.0.0.0/8",
    "2001:db8::1::2/64",
    "2001:db8:::/64",
    "::/129",
    "x",
    "",
  ])("rejects %s", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it.each([
    "::",
    "::1",
    "2001:db8::1",
    "2001:db8:0:1:1:1:1:1",
    "2001:0:0:1::1",
    "fe80::1:0:0:1",
    "1::",
  ])("formats %s back as RFC 5952 text", (text) => {
    expect(formatAddressWords(6, parseIpv6Words(text)!)).toBe(text);
  });

  it("formats IPv4 words as a dotted quad", () => {
    expect(formatAddressWords(4, [0xc0000207])).toBe("192.0.2.7");
    expect(formatAddressWords(4, [0, 0xffffffff], 1)).toBe("255.255.255.255");
  });
});
