import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TunSetupError } from "../../../../node-agent/tun/tun-device.js";
import { runIp } from "../../../../node-agent/tun/tun-placement.js";

describe("runIp error reporting", () => {
  const savedPath = process.env.PATH;
  const dirs: string[] = [];
  afterEach(() => {
    process.env.PATH = savedPath;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A PATH holding only a fake `ip` script (or nothing). */
  function fakePath(script?: string): void {
    const dir = mkdtempSync(join(tmpdir(), "vpcemu-ip-"));
    dirs.push(dir);
    if (script !== undefined) {
      writeFileSync(join(dir, "ip"), `#!/bin/sh\n${script}\n`);
      chmodSync(join(dir, "ip"), 0o755);
    }
    process.env.PATH = dir;
  }

  it("names iproute2 when `ip` is missing", async () => {
    fakePath();
    const err = await runIp(undefined, ["-V"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TunSetupError);
    expect((err as TunSetupError).code).toBe("EMU_ERR_TUN_NO_IPROUTE2");
    expect((err as Error).message).toMatch(/install iproute2/);
  });

  it("says root is needed when `ip` is refused", async () => {
    fakePath('echo "RTNETLINK answers: Operation not permitted" >&2; exit 2');
    const err = await runIp("vpcemu-x", ["link", "set", "dev", "eth0", "up"]).catch(
      (e: unknown) => e,
    );
    expect((err as TunSetupError).code).toBe("EMU_ERR_TUN_NOT_PERMITTED");
    expect((err as Error).message).toMatch(
      /ip -n vpcemu-x link set dev eth0 up: .*Operation not permitted.*root/,
    );
  });

  it("passes other failures on with the command and its message", async () => {
    fakePath('echo "Cannot find device \\"eth9\\"" >&2; exit 1');
    const err = await runIp(undefined, ["link", "del", "eth9"]).catch((e: unknown) => e);
    expect((err as TunSetupError).code).toBe("EMU_ERR_TUN_CONFIGURE");
    expect((err as Error).message).toMatch(/Cannot find device "eth9"/);
  });

  it("returns stdout on success", async () => {
    fakePath('echo "ip utility, iproute2-6.1.0"');
    expect(await runIp(undefined, ["-V"])).toMatch(/iproute2/);
  });
});
