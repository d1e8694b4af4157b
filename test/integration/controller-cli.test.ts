/**
 * `vpcemu controller` as a real process: prints its endpoint, serves the JSON API, stops
 * cleanly on SIGTERM; refuses a non-loopback listen without a join token.
 *
 *   test --spawn--> node bin/vpcemu.js controller --listen 127.0.0.1:0 --state :memory:
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

function runCli(args: string[]) {
  const child = spawn(process.execPath, ["bin/vpcemu.js", "controller", ...args], {
    env: { ...process.env, VPCEMU_FROM_SOURCE: "1", VPCEMU_JOIN_TOKEN: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe("vpcemu controller", () => {
  it("prints its endpoint, answers /v1/revision, exits 0 on SIGTERM", async () => {
    const p = runCli(["--listen", "127.0.0.1:0", "--state", ":memory:"]);
    const start = Date.now();
    while (!/listening on (http:\/\/\S+)/.test(p.out())) {
      if (Date.now() - start > 20_000) throw new Error(`no endpoint printed; stderr: ${p.err()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (http:\/\/\S+)/.exec(p.out())![1]!;
    const res = await fetch(`${url}/v1/revision`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ revision: 0, enforced: true, agents: [] });
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });

  it("refuses to listen beyond loopback without a join token (exit 1)", async () => {
    const p = runCli(["--listen", "0.0.0.0:0", "--state", ":memory:"]);
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/requires a join token/);
  });
});
