/**
 * compose.yaml brought up with docker-compose and checked with real traffic.
 *
 *   underlay (internal) ${PREFIX}.0/24
 *   controller .2     node-web .10            node-db .20           node-internet .30
 *                     ├ agent-web             ├ agent-db            ├ agent-internet
 *                     └ web 10.0.1.10:80      └ db 10.0.2.20:3306   └ internet 198.51.100.10
 *                       public IP (igw route)   private only          reaches web's public IP
 *
 * The project gets its own name and underlay prefix so it never meets a stack a user runs.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  assertDockerPrerequisites,
  docker,
  E2E_IMAGE,
  setupOrFailEach,
} from "./docker-prerequisites.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
const PROJECT = `vpcemue2e${process.pid}`;
/** A 172.29.x.0/24 no Docker network uses (a crashed earlier run may still hold one). */
function freeUnderlayPrefix(): string {
  const ids = docker(["network", "ls", "-q"]).trim().split("\n").filter(Boolean);
  const used = ids.length
    ? docker(["network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", ...ids])
    : "";
  if (/\b172\.29\.0\.0\/16\b/.test(used))
    throw new Error("e2e: a Docker network holds 172.29.0.0/16");
  for (let i = 0; i < 100; i++) {
    const x = 100 + ((process.pid + i) % 100);
    if (!used.includes(`172.29.${x}.`)) return `172.29.${x}`;
  }
  throw new Error("e2e: no free 172.29.x.0/24 for the compose underlay");
}
const SCRIPTS = "/opt/vpcemu/scripts/docker";
// Set in beforeAll, once Docker is known to answer.
let PREFIX = "";
let CONTROLLER = "";
let ENV: NodeJS.ProcessEnv = { ...process.env };

async function compose(args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await run(
      "docker-compose",
      ["-p", PROJECT, "-f", join(ROOT, "compose.yaml"), ...args],
      { cwd: ROOT, env: ENV, timeout: timeoutMs, maxBuffer: 16 << 20 },
    );
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`docker-compose ${args.join(" ")} failed: ${e.stderr || e.message}`);
  }
}

/** Runs `node <script> ...` in a service; resolves with stdout and exit code. */
async function execIn(
  service: string,
  argv: string[],
  timeoutMs = 30_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      "docker-compose",
      ["-p", PROJECT, "-f", join(ROOT, "compose.yaml"), "exec", "-T", service, ...argv],
      { cwd: ROOT, env: ENV, timeout: timeoutMs },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === "number" ? e.code : -1,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? "",
    };
  }
}

async function probe(
  from: string,
  kind: "tcp" | "http",
  host: string,
  port: number,
  timeoutMs = 3_000,
) {
  const r = await execIn(from, [
    "node",
    `${SCRIPTS}/probe.mjs`,
    kind,
    host,
    String(port),
    "--timeout",
    String(timeoutMs),
  ]);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as { ok: boolean; reply?: string; error?: string };
  } catch {
    throw new Error(
      `probe from ${from} printed no result (exit ${r.code}): ${r.stdout} ${r.stderr}`,
    );
  }
}

/** web's public IP (`stack.mjs public-ip web`): where the internet node reaches it (IGW-5). */
let webPublic = "";
async function publicIpOf(name: string): Promise<string> {
  const r = await execIn("controller", ["node", `${SCRIPTS}/stack.mjs`, "public-ip", name]);
  if (r.code !== 0) throw new Error(`stack.mjs public-ip ${name}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The controller service's container id. */
async function controllerId(): Promise<string> {
  return (await compose(["ps", "-q", "controller"])).trim();
}

async function getJson(path: string): Promise<unknown> {
  const res = await fetch(`${CONTROLLER}${path}`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return res.json();
}

/** Every agent of the stack connected and enforcing the current revision. */
async function waitForAgents(ids: string[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const { revision } = (await getJson("/v1/revision")) as { revision: number };
      const body = await getJson("/v1/agents");
      const list = (Array.isArray(body) ? body : (body as { agents: unknown[] }).agents) as Array<
        Record<string, unknown>
      >;
      const ready = ids.filter((id) => {
        const a = list.find((x) => (x.id ?? x.agentId) === id);
        return a?.connected && Number(a.enforcedRevision ?? a.enforced ?? -1) >= revision;
      });
      if (ready.length === ids.length) return;
      last = `ready: ${ready.join(",") || "none"} at revision ${revision}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const logs = await compose(["logs", "--tail", "20"]).catch((e: Error) => e.message);
      throw new Error(`compose agents not ready within ${timeoutMs} ms (${last})\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Waits until the node's namespace carries `address` (its agent placed the ENI's TUN). */
async function waitForAddress(service: string, address: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await execIn(service, ["ip", "-o", "addr", "show"]);
    if (r.stdout.includes(` ${address}/`)) return;
    if (Date.now() > deadline)
      throw new Error(`${service}: no interface has ${address}: ${r.stdout}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe("compose.yaml with docker-compose", { timeout: 60_000 }, () => {
  const timings: Record<string, number> = {};

  setupOrFailEach(async () => {
    assertDockerPrerequisites({ compose: true });
    PREFIX = freeUnderlayPrefix();
    CONTROLLER = `http://${PREFIX}.2:4566`;
    ENV = {
      ...process.env,
      VPCEMU_IMAGE: E2E_IMAGE,
      VPCEMU_UNDERLAY_PREFIX: PREFIX,
      VPCEMU_JOIN_TOKEN: `e2e-${process.pid}`,
    };
    const t0 = performance.now();
    await compose(["up", "-d"], 240_000);
    timings.upMs = performance.now() - t0;
    await waitForAgents(["agent-web", "agent-db", "agent-internet"]);
    timings.readyMs = performance.now() - t0;
    webPublic = await publicIpOf("web");
  }, 300_000);

  afterAll(async () => {
    const t0 = performance.now();
    await compose(["down", "-v", "--timeout", "2"], 120_000).catch((e: Error) =>
      console.error(e.message),
    );
    timings.downMs = performance.now() - t0;
    console.log(
      `e2e compose timings (ms): ${Object.entries(timings)
        .map(([k, v]) => `${k}=${Math.round(v)}`)
        .join(" ")}`,
    );
  }, 120_000);

  it("serves web on 80 to the internet node at web's public IP (IGW-5)", async () => {
    expect(webPublic).toMatch(/^198\.1[89]\./);
    const r = await probe("internet", "http", webPublic, 80);
    expect(r).toMatchObject({ ok: true });
    expect(r.reply).toContain("hello");
  });

  it("lets web reach db:3306 and drops internet -> db:3306 (timeout)", async () => {
    expect(await probe("web", "tcp", "10.0.2.20", 3306)).toMatchObject({
      ok: true,
      reply: "vpcemu-db ready",
    });
    expect(await probe("internet", "tcp", "10.0.2.20", 3306, 2_000)).toMatchObject({
      ok: false,
      error: "timeout",
    });
  });

  it("changes a rule while the stack runs (stack.mjs rule revoke/authorize)", async () => {
    const rule = (verb: string) =>
      execIn("controller", [
        "node",
        `${SCRIPTS}/stack.mjs`,
        "rule",
        verb,
        "ingress",
        "web-sg",
        "tcp",
        "80",
        "0.0.0.0/0",
      ]);
    expect((await rule("revoke")).code).toBe(0);
    await waitForAgents(["agent-web", "agent-db", "agent-internet"]);
    expect(await probe("internet", "http", webPublic, 80, 2_000)).toMatchObject({
      ok: false,
      error: "timeout",
    });
    expect((await rule("authorize")).code).toBe(0);
    await waitForAgents(["agent-web", "agent-db", "agent-internet"]);
    expect(await probe("internet", "http", webPublic, 80)).toMatchObject({ ok: true });
  });

  it("shows the tracked web -> db flow with stack.mjs conntrack (CT-14)", async () => {
    await execIn("web", [
      "sh",
      "-c",
      `node -e "const s=require('net').connect(3306,'10.0.2.20');s.on('error',()=>{});setTimeout(()=>s.destroy(),20000)" >/dev/null 2>&1 &`,
    ]);
    let table = "";
    for (let i = 0; i < 30; i++) {
      const r = await execIn("controller", ["node", `${SCRIPTS}/stack.mjs`, "conntrack", "db"]);
      table = r.stdout;
      if (/tcp \S+ \d+s src=10\.0\.1\.10 dst=10\.0\.2\.20 sport=\d+ dport=3306/.test(table)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(table).toMatch(/tcp \S+ \d+s src=10\.0\.1\.10 dst=10\.0\.2\.20 sport=\d+ dport=3306/);
  });

  it("survives an agent's death: the restarted agent rebuilds the ENI in the same namespace", async () => {
    await compose(["kill", "agent-web"]);
    expect(await probe("internet", "http", webPublic, 80, 1_500)).toMatchObject({ ok: false });
    await compose(["start", "agent-web"]);
    await waitForAgents(["agent-web", "agent-db", "agent-internet"]);
    await waitForAddress("web", "10.0.1.10");
    expect(await probe("internet", "http", webPublic, 80)).toMatchObject({ ok: true });
    expect(await probe("web", "tcp", "10.0.2.20", 3306)).toMatchObject({ ok: true });
  });

  it("keeps its state across a controller crash (kill, then start); agents reconnect and resync", async () => {
    const { revision: before } = (await getJson("/v1/revision")) as { revision: number };
    // SIGKILL, no graceful close: the container exits 128 + 9.
    await compose(["kill", "controller"]);
    expect(docker(["wait", await controllerId()]).trim()).toBe("137");
    await compose(["start", "controller"]);
    await waitForAgents(["agent-web", "agent-db", "agent-internet"]);
    const { revision: after } = (await getJson("/v1/revision")) as { revision: number };
    expect(after).toBeGreaterThanOrEqual(before);
    expect(await probe("internet", "http", webPublic, 80)).toMatchObject({ ok: true });
    expect(await probe("internet", "tcp", "10.0.2.20", 3306, 2_000)).toMatchObject({ ok: false });
  });
});
