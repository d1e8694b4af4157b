/**
 * The testcontainers module's `emulator.faults` network API in-process against a real
 * controller (no Docker: the JSON API part only; kill/pause/restart of sidecars run on Docker in
 * docs/testcontainers.md's tour, test/e2e/docs-examples.e2e.test.ts).
 *
 *   VpcEmulatorFaults({ apiUrl: controller.url }) --HTTP--> Controller /v1/faults
 */
import { readFileSync } from "node:fs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { applyTopology } from "../../cli/topology/apply-topology.js";
import { parseTopology } from "../../cli/topology/topology.js";
import { VpcEmulatorFaults } from "../../testcontainers/faults.js";
import { VpcEmulatorApiError } from "../../testcontainers/json-api.js";

let controller: StartedController;
let faults: VpcEmulatorFaults;

beforeAll(async () => {
  controller = await new Controller({ listen: "127.0.0.1:0", statePath: ":memory:" }).start();
  const ec2 = new EC2Client({
    endpoint: controller.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await applyTopology(
    ec2,
    parseTopology(readFileSync("examples/two-tier.yaml", "utf8"), "two-tier.yaml"),
  );
  ec2.destroy();
  faults = new VpcEmulatorFaults({
    apiUrl: () => controller.url,
    waitForAgent: () => Promise.reject(new Error("no sidecars here")),
    attached: () => [],
    execInEmulator: () => Promise.reject(new Error("no emulator container here")),
  });
});

afterAll(async () => {
  await controller.stop();
});

describe("emulator.faults", () => {
  it("adds a fault whose handle reads its view and counters and removes it on dispose", async () => {
    let id: string;
    {
      await using slow = await faults.add({
        from: "sg:web-sg",
        to: "sg:db-sg",
        protocol: "tcp",
        ports: 3306,
        effects: { delay: { latencyMs: 100 } },
        durationMs: 60_000,
        seed: 9,
      });
      id = slow.id;
      expect(id).toMatch(/^flt-[0-9a-f]{17}$/);
      const view = await slow.view();
      expect(view).toMatchObject({ state: "active", protocol: "tcp", ports: "3306", seed: 9 });
      expect(await slow.counters()).toMatchObject({ matched: 0, delayed: 0 });
      expect((await faults.list()).map((f) => f.faultId)).toEqual([id]);
      expect((await faults.get(id)).faultId).toBe(id);
    }
    expect(await faults.list()).toEqual([]);
    await expect(faults.get(id)).rejects.toMatchObject({
      status: 404,
      code: "EMU_ERR_FAULT_NOT_FOUND",
    });
  });

  it("adds partitions; remove() is idempotent and tolerates a fault already cleared", async () => {
    const cut = await faults.partition({ groups: ["sg:web-sg", ["sg:db-sg"]], oneWay: true });
    expect((await cut.view()).partition).toMatchObject({ mode: "complete", oneWay: true });
    const ct = await faults.add({ from: "instance:db", effects: { conntrack: { allowance: 0 } } });
    expect((await faults.clear()).sort()).toEqual([cut.id, ct.id].sort());
    await cut.remove();
    await cut.remove();
    await ct[Symbol.asyncDispose]();
  });

  it("refuses bad faults with the controller's code", async () => {
    const err = await faults.add({ from: "sg:nope", to: "*", effects: { blackhole: true } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(VpcEmulatorApiError);
    expect(err).toMatchObject({ status: 400, code: "EMU_ERR_FAULT_INVALID" });
    expect((err as Error).message).toContain("nope");
  });
});
