import { afterEach, describe, expect, it } from "vitest";
import {
  missingPrerequisites,
  namespaceName,
  PrerequisiteError,
} from "../../../../cli/runtime/netns.js";

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

describe("namespaceName", () => {
  it("prefixes node names", () => {
    expect(namespaceName("web")).toBe("vpcemu-web");
    expect(namespaceName("i-0123456789abcdef0", "vpcemu-t1-")).toBe(
      "vpcemu-t1-i-0123456789abcdef0",
    );
  });
  it.each(["", "../etc", "a b", "-x", "x".repeat(64)])("rejects %j", (name) => {
    expect(() => namespaceName(name)).toThrow(/invalid node name/);
  });
});

describe("missingPrerequisites", () => {
  it("names each missing command with the package that provides it", () => {
    process.env.PATH = "/nonexistent";
    const missing = missingPrerequisites(["ping", "iperf3", "nft"]);
    const commands = missing.filter((m) => m.what.startsWith("the '"));
    expect(commands.map((m) => m.what)).toEqual([
      "the 'ip' command",
      "the 'ping' command",
      "the 'iperf3' command",
      "the 'nft' command",
    ]);
    expect(commands.map((m) => /apt-get install (\S+)`/.exec(m.fix)?.[1])).toEqual([
      "iproute2",
      "iputils-ping",
      "iperf3",
      "nftables",
    ]);
  });

  it("explains everything missing in one error", () => {
    const err = new PrerequisiteError([
      { what: "root (CAP_NET_ADMIN)", fix: "run as root" },
      { what: "/dev/net/tun", fix: "modprobe tun" },
    ]);
    expect(err.message).toBe(
      "the local runtime cannot start; missing:\n  - root (CAP_NET_ADMIN): run as root\n  - /dev/net/tun: modprobe tun",
    );
  });
});
