/**
 * controller/model/cidr.ts: the direct IPv4 parse (canonical dotted CIDRs) gives exactly what
 * ip-num gives, host bits cleared (AWS-BEHAVIOUR RULE-8); other spellings still go through
 * ip-num; a bad value is ERR-17.
 */
import { IPv4CidrRange } from "ip-num";
import { describe, expect, it } from "vitest";
import { sanitizeIpv4Cidr } from "../../../../controller/model/cidr.js";

function viaIpNum(text: string) {
  const r = IPv4CidrRange.fromCidr(text);
  const prefix = Number(r.cidrPrefix.getValue());
  return {
    family: 4,
    cidr: `${r.getFirst().toString()}/${prefix}`,
    prefix,
    first: r.getFirst().getValue(),
    last: r.getLast().getValue(),
  };
}

describe("sanitizeIpv4Cidr", () => {
  it("equals ip-num's range for 5,000 seeded CIDRs and the edges", () => {
    let x = 12345;
    const next = (k: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % k;
    };
    const cases = [
      "0.0.0.0/0",
      "255.255.255.255/32",
      "10.0.0.5/24",
      "100.68.0.18/18",
      "1.2.3.4/31",
    ];
    for (let i = 0; i < 5000; i++)
      cases.push(`${next(256)}.${next(256)}.${next(256)}.${next(256)}/${next(33)}`);
    for (const c of cases) expect(sanitizeIpv4Cidr(c), c).toEqual(viaIpNum(c));
  });

  it.each(["256.0.0.0/8", "10.0.0.0/33", "10.0.0/8", "10.0.0.0", "::/0", "a.b.c.d/8"])(
    "refuses %s (ERR-17)",
    (c) => {
      expect(() => sanitizeIpv4Cidr(c)).toThrow(`CIDR block ${c} is malformed`);
    },
  );
});
