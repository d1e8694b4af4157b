import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  isLoopbackHost,
  parseListen,
  resolveControllerConfig,
} from "../../../../controller/config.js";

describe("controller config", () => {
  it("defaults to 127.0.0.1:4566, ./.vpcemu/state.db, us-east-1, 65536", () => {
    const c = resolveControllerConfig({}, {}, "/srv");
    expect(c).toMatchObject({
      host: "127.0.0.1",
      port: 4566,
      statePath: "/srv/.vpcemu/state.db",
      joinToken: undefined,
      region: "us-east-1",
      accountId: "123456789012",
      conntrackMax: 65536,
    });
  });

  it("takes the state path from $VPCEMU_STATE", () => {
    expect(resolveControllerConfig({}, { VPCEMU_STATE: ":memory:" }).statePath).toBe(":memory:");
  });

  it.each([
    ["127.0.0.1:4566", "127.0.0.1", 4566],
    ["0.0.0.0:0", "0.0.0.0", 0],
    ["[::1]:80", "::1", 80],
    [":9000", "127.0.0.1", 9000],
    ["localhost:1", "localhost", 1],
  ])("parses --listen %s", (text, host, port) => {
    expect(parseListen(text)).toEqual({ host, port });
  });

  it.each(["4566", "host:", "1.2.3.4:70000", "[nothost]:1"])("rejects --listen %s", (text) => {
    expect(() => parseListen(text)).toThrow(ConfigError);
  });

  it("requires a join token beyond loopback, not on loopback", () => {
    expect(() => resolveControllerConfig({ listen: "0.0.0.0:4566" })).toThrow(
      /requires a join token/,
    );
    expect(resolveControllerConfig({ listen: "0.0.0.0:4566", joinToken: "t" }).joinToken).toBe("t");
    expect(resolveControllerConfig({ listen: "127.0.0.2:1" }).joinToken).toBeUndefined();
    expect(isLoopbackHost("::1")).toBe(true);
    expect(isLoopbackHost("10.0.0.1")).toBe(false);
  });

  it("reads auth keys inline and from a JSON file", () => {
    expect(resolveControllerConfig({ authKeys: "AK1:s1,AK2:s:2" }).authKeys).toEqual({
      AK1: "s1",
      AK2: "s:2",
    });
    const dir = mkdtempSync(join(tmpdir(), "vpcemu-cfg-"));
    const file = join(dir, "keys.json");
    writeFileSync(file, JSON.stringify({ AK: "secret" }));
    expect(resolveControllerConfig({ authKeys: `@${file}` }).authKeys).toEqual({ AK: "secret" });
    expect(() => resolveControllerConfig({ authKeys: "nocolon" })).toThrow(ConfigError);
  });

  it("rejects heartbeat timeouts not above the interval", () => {
    expect(() =>
      resolveControllerConfig({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 100 }),
    ).toThrow(ConfigError);
  });
});
