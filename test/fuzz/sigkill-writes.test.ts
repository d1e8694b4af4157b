/**
 * Fuzz tier, durability (issue 14 item 6): a child-process controller on a file database
 * (test/helpers/ec2-server-process.ts, as test/integration/persistence-sigkill.test.ts runs it)
 * takes seeded random writes from 8 concurrent clients: CreateSecurityGroup with random names
 * (prototype names, unicode, punctuation), CreateTags with random keys and values on the VPC
 * and on new groups, and invalid writes between them (none deletes); it is SIGKILLed after a random number of
 * acknowledgements while requests are in flight. Reopening the database shows every
 * acknowledged group under its name and every acknowledged tag key, and nothing answered 5xx.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { StateStore } from "../../controller/store/state-store.js";
import { httpRequest } from "./ec2-fuzzer.js";
import { PROTOTYPE_NAMES, Rng, fuzzCount, fuzzSeed } from "./fuzz-random.js";

const SCRIPT = fileURLToPath(new URL("../helpers/ec2-server-process.ts", import.meta.url));
const SEED = fuzzSeed();
const dir = mkdtempSync(join(tmpdir(), "vpcemu-fuzz-sigkill-"));
const dbPath = join(dir, "state.db");
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function startChild(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, dbPath], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m?.[1] !== undefined) resolve(Number(m[1]));
    });
    child.on("exit", (code) =>
      reject(new Error(`child exited (${code}) before listening:\n${err}`)),
    );
  });
  return { child, port };
}

const NAME_CHARS = "abcXYZ019 ._-:/()#,@[]+=&;{}!$*";
function randomName(rng: Rng): string {
  const r = rng.next();
  if (r < 0.2) return `${rng.pick(PROTOTYPE_NAMES)}${rng.chance(0.5) ? "" : rng.int(0, 1e6)}`;
  if (r < 0.3) return `ü😀-${rng.int(0, 1e9)}`;
  let s = "";
  for (let i = rng.int(1, 40); i > 0; i--) s += NAME_CHARS[rng.int(0, NAME_CHARS.length - 1)];
  return `${s}${rng.int(0, 1e9)}`;
}

describe("acknowledged fuzzed writes survive SIGKILL", () => {
  it("keeps every acknowledged group and tag of a random write stream killed mid-flight", async () => {
    const rng = new Rng(SEED);
    const killAfter = fuzzCount(rng.int(40, 120));
    console.log(`fuzz sigkill: VPCEMU_FUZZ_SEED=${SEED} killAfter=${killAfter}`);
    const { child, port } = await startChild();
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const url = `http://127.0.0.1:${port}/`;
    const call = (params: Record<string, string>) =>
      httpRequest(
        agent,
        url,
        "POST",
        new URLSearchParams({ Version: "2016-11-15", ...params }).toString(),
        { "content-type": "application/x-www-form-urlencoded" },
      );
    const vpc = await call({ Action: "CreateVpc", CidrBlock: "10.0.0.0/16" });
    const vpcId = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(vpc.body)![1]!;
    const groups = new Map<string, string>(); // groupId -> name
    const tags: Array<{ id: string; key: string }> = [];
    const fivexx: string[] = [];
    let acks = 0;
    let killed = false;
    const worker = async (w: number) => {
      const wr = rng.fork(w);
      while (!killed) {
        const kind = wr.int(0, 9);
        try {
          if (kind < 5) {
            const name = randomName(wr);
            const r = await call({
              Action: "CreateSecurityGroup",
              GroupName: name,
              GroupDescription: wr.chance(0.9) ? "d" : "",
              VpcId: vpcId,
            });
            if (r.status >= 500) fivexx.push(`${r.status} ${r.body}`);
            const id = /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(r.body)?.[1];
            if (r.status === 200 && id !== undefined) {
              groups.set(id, name);
              acks++;
            }
          } else if (kind < 9) {
            const ids = [vpcId, ...groups.keys()];
            const id = wr.pick(ids);
            const key = wr.chance(0.3) ? wr.pick(PROTOTYPE_NAMES) : randomName(wr).slice(0, 120);
            const r = await call({
              Action: "CreateTags",
              "ResourceId.1": id,
              "Tag.1.Key": key,
              "Tag.1.Value": randomName(wr).slice(0, 200),
            });
            if (r.status >= 500) fivexx.push(`${r.status} ${r.body}`);
            if (r.status === 200) {
              tags.push({ id, key });
              acks++;
            }
          } else {
            const r = await call({
              Action: wr.pick([
                "CreateSecurityGroup",
                "CreateTags",
                "AuthorizeSecurityGroupIngress",
              ]),
              [wr.pick(["GroupName", "ResourceId.1", "GroupId", ...PROTOTYPE_NAMES])]:
                randomName(wr),
            });
            if (r.status >= 500) fivexx.push(`${r.status} ${r.body}`);
          }
        } catch {
          if (child.exitCode !== null || child.signalCode !== null) killed = true;
        }
        if (acks >= killAfter && !killed) {
          killed = true;
          child.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_v, i) => worker(i)));
    await new Promise<void>((resolve) =>
      child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
    );
    agent.destroy();
    expect(child.signalCode).toBe("SIGKILL");
    expect(fivexx).toEqual([]);
    const store = StateStore.open(dbPath);
    try {
      const lost = [...groups].filter(
        ([id, name]) => store.get("securityGroup", id)?.groupName !== name,
      );
      expect(lost, `VPCEMU_FUZZ_SEED=${SEED}`).toEqual([]);
      const lostTags = tags.filter(({ id, key }) => {
        const rec = id.startsWith("vpc-") ? store.get("vpc", id) : store.get("securityGroup", id);
        return rec === undefined || !Object.hasOwn(rec.tags, key);
      });
      expect(lostTags, `VPCEMU_FUZZ_SEED=${SEED}`).toEqual([]);
      console.log(
        `fuzz sigkill: ${groups.size} groups and ${tags.length} tags acknowledged before the kill, all there after it`,
      );
    } finally {
      store.close();
    }
  }, 60_000);
});
