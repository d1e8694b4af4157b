/**
 * Issue 5 "Done when": the docs examples run as written.
 *
 * docs/testcontainers.md: the package is built as published (tsc -p tsconfig.build.json into a
 * temp dist/ beside package.json); every ```ts block marked `<!-- example: NAME -->` (parts of
 * one NAME joined in order) is typechecked with tsc and run with tsx, unchanged, in a temp ES
 * module project that depends on it (`vpcemu/testcontainers` resolves through package.json
 * "exports"). It must exit 0 (the examples assert with node:assert).
 *
 * docs/compose.md: every ```sh block marked `<!-- example: NAME -->` runs verbatim with bash from
 * the repository root against docker-compose, in document order, each command's exit code
 * checked; after a block the test checks its effect with traffic of its own. The stack gets its
 * own COMPOSE_PROJECT_NAME; the docs' addresses need the default underlay 172.29.71.0/24, so the
 * suite fails (never skips) when a Docker network already holds it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertDockerPrerequisites, docker, setupOrFailEach } from "./docker-prerequisites.js";
import {
  examplesOf,
  extractDocBlocks,
  shellCommands,
  unmarkedBlocks,
  type DocBlock,
} from "./helpers/doc-blocks.js";
import {
  buildPackage,
  REPO_ROOT,
  runProcess,
  runShellCommands,
  runTsExample,
  transcript,
  type BuiltPackage,
  type ShellCommandResult,
} from "./helpers/run-doc-example.js";

const doc = (name: string): DocBlock[] =>
  extractDocBlocks(readFileSync(join(REPO_ROOT, "docs", name), "utf8"));
const TC_DOC = doc("testcontainers.md");
const COMPOSE_DOC = doc("compose.md");
const timings: Record<string, number> = {};

afterAll(() => {
  console.log(
    `docs examples timings (ms): ${Object.entries(timings)
      .map(([k, v]) => `${k}=${Math.round(v)}`)
      .join(" ")}`,
  );
});

describe("docs code blocks", () => {
  it("marks every ts and sh block of docs/testcontainers.md as an example or not run", () => {
    expect(unmarkedBlocks(TC_DOC, ["ts", "sh"])).toEqual([]);
    expect([...examplesOf(TC_DOC, "ts").keys()].length).toBeGreaterThan(0);
  });

  it("marks every sh block of docs/compose.md as an example or not run", () => {
    expect(unmarkedBlocks(COMPOSE_DOC, ["sh", "ts"])).toEqual([]);
  });
});

describe("docs/testcontainers.md examples", () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TESTCONTAINERS_RYUK_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  let pkg: BuiltPackage | undefined;
  setupOrFailEach(async () => {
    assertDockerPrerequisites();
    pkg = await buildPackage(env);
    timings["build"] = pkg.build.ms;
    if (pkg.build.exitCode !== 0) {
      throw new Error(`npm run build fails:\n${pkg.build.stdout}${pkg.build.stderr}`);
    }
    // The examples' app containers name vpcemu:local whatever VPCEMU_IMAGE says; testcontainers
    // would try to pull a missing one.
    try {
      docker(["image", "inspect", "vpcemu:local"]);
    } catch {
      throw new Error("e2e docs: the examples' app image vpcemu:local is missing: npm run image");
    }
  }, 240_000);
  afterAll(async () => pkg?.remove());

  for (const [name, code] of examplesOf(TC_DOC, "ts")) {
    it(
      `runs the '${name}' example as written (tsc clean, tsx exits 0)`,
      {
        timeout: 420_000,
      },
      async () => {
        const r = await runTsExample(name, code, { pkg: pkg!, env, timeoutMs: 360_000 });
        timings[`ts:${name}:typecheck`] = r.typecheck.ms;
        expect(r.typecheck.exitCode, `tsc:\n${r.typecheck.stdout}${r.typecheck.stderr}`).toBe(0);
        timings[`ts:${name}:run`] = r.run!.ms;
        expect(r.run!.exitCode, `tsx:\n${r.run!.stdout}\n${r.run!.stderr}`).toBe(0);
      },
    );
  }
});

describe("docs/compose.md examples", () => {
  const PROJECT = `vpcemudocs${process.pid}`;
  const CONTROLLER = "http://172.29.71.2:4566";
  const AGENTS = ["agent-web", "agent-db", "agent-internet"];
  const env: NodeJS.ProcessEnv = { ...process.env, COMPOSE_PROJECT_NAME: PROJECT };
  for (const k of ["VPCEMU_UNDERLAY_PREFIX", "VPCEMU_TOPOLOGY", "VPCEMU_JOIN_TOKEN"]) delete env[k];
  const examples = examplesOf(COMPOSE_DOC, "sh");
  let started = false;

  /** Runs the doc's block NAME verbatim; returns each command's result. */
  const runBlock = async (name: string, timeoutMs = 180_000): Promise<ShellCommandResult[]> => {
    const code = examples.get(name);
    if (code === undefined) throw new Error(`docs/compose.md has no example '${name}'`);
    const commands = shellCommands(code);
    const t0 = performance.now();
    const { results, raw } = await runShellCommands(commands, {
      cwd: REPO_ROOT,
      env,
      timeoutMs,
      tty: true, // a terminal, as the user's: `docker-compose exec` without -T needs one
    });
    timings[`sh:${name}`] = performance.now() - t0;
    expect(results.length, `${transcript(results)}\n${JSON.stringify(raw)}`).toBe(commands.length);
    return results;
  };
  const expectExits = (results: ShellCommandResult[], codes: number[]) =>
    expect(
      results.map((r) => r.exitCode),
      transcript(results),
    ).toEqual(codes);

  /** `docker-compose exec -T` for the test's own checks (not part of any doc block). */
  const execIn = (service: string, argv: string[]) =>
    runProcess("docker-compose", ["exec", "-T", service, ...argv], {
      cwd: REPO_ROOT,
      env,
      timeoutMs: 60_000,
    });
  const probe = async (from: string, kind: string, host: string, port: number) => {
    const r = await execIn(from, [
      "node",
      "/opt/vpcemu/scripts/docker/probe.mjs",
      kind,
      host,
      String(port),
      "--timeout",
      "2000",
    ]);
    return JSON.parse(r.stdout.trim().split("\n").pop() || "{}") as { ok?: boolean };
  };
  /** web's public IP, as the doc's 'traffic' block gets it (IGW-5: the internet reaches web there). */
  const webPublicIp = async (): Promise<string> => {
    const r = await execIn("controller", [
      "node",
      "/opt/vpcemu/scripts/docker/stack.mjs",
      "public-ip",
      "web",
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    return r.stdout.trim();
  };

  /** Every agent connected and enforcing the current revision, as the doc tells a user to see. */
  const waitForAgents = async (timeoutMs = 90_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      try {
        const get = async (path: string) =>
          (await fetch(`${CONTROLLER}${path}`, { signal: AbortSignal.timeout(3_000) })).json();
        const { revision } = (await get("/v1/revision")) as { revision: number };
        const { agents } = (await get("/v1/agents")) as {
          agents: Array<{
            agentId?: string;
            id?: string;
            connected: boolean;
            enforcedRevision: number;
          }>;
        };
        const ready = AGENTS.filter((id) =>
          agents.some(
            (a) => (a.agentId ?? a.id) === id && a.connected && a.enforcedRevision >= revision,
          ),
        );
        if (ready.length === AGENTS.length) return;
        last = `ready: ${ready.join(",") || "none"} at revision ${revision}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`compose agents not ready: ${last}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  setupOrFailEach(async () => {
    assertDockerPrerequisites({ compose: true });
    const ids = docker(["network", "ls", "-q"]).trim().split("\n").filter(Boolean);
    const subnets = docker([
      "network",
      "inspect",
      "-f",
      "{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}",
      ...ids,
    ]);
    const holder = subnets.split("\n").find((l) => /\b172\.29\.(71\.0\/24|0\.0\/16)\b/.test(l));
    if (holder) {
      throw new Error(
        `e2e docs: the docs' underlay 172.29.71.0/24 is taken by network '${holder.split(" ")[0]}'` +
          " (a compose stack of yours? `docker-compose down -v`)",
      );
    }
  }, 60_000);

  afterAll(async () => {
    if (!started) return;
    const r = await runProcess("docker-compose", ["down", "-v", "--timeout", "2"], {
      cwd: REPO_ROOT,
      env,
      timeoutMs: 120_000,
    });
    if (r.exitCode !== 0) console.error(`docker-compose down -v: ${r.stderr}`);
  }, 150_000);

  it("covers every compose example (a new block needs a test here)", () => {
    expect([...examples.keys()]).toEqual([
      "up",
      "traffic",
      "conntrack",
      "rules",
      "aws-cli",
      "resilience",
      "chaos",
      "down",
    ]);
  });

  it("'up' brings the stack up; its agents get ready", { timeout: 300_000 }, async () => {
    started = true;
    const results = await runBlock("up", 240_000);
    expectExits(results, [0, 0, 0]);
    expect(results[1]!.output).toMatch(/agent-web/);
    const t0 = performance.now();
    await waitForAgents();
    timings["up:agentsReady"] = performance.now() - t0;
  });

  it(
    "'traffic': internet -> web:80 at its public IP and web -> db:3306 answer, internet -> db times out",
    {
      timeout: 120_000,
    },
    async () => {
      const results = await runBlock("traffic");
      expectExits(results, [0, 0, 0, 1]);
      expect(await webPublicIp()).toMatch(/^198\.1[89]\./);
      expect(results[3]!.output).toMatch(/"error":"timeout"/);
    },
  );

  it(
    "'conntrack' lists db's table, web's as JSON, and the JSON API from the host",
    {
      timeout: 120_000,
    },
    async () => {
      const results = await runBlock("conntrack");
      expectExits(results, [0, 0, 0, 0]);
      expect(results[0]!.output).toMatch(/^# i-\S+ eni-\S+: \d+ tracked flows/m);
      // The 'traffic' block's web -> db connection, tracked under db-sg's rule from web-sg (CT-14).
      expect(results[0]!.output).toMatch(
        /^tcp \S+ \d+s src=10\.0\.1\.10 dst=10\.0\.2\.20 sport=\d+ dport=3306 .* rule=sgr-/m,
      );
      expect(results[1]!.output).toMatch(/"enis"/);
      expect(results[3]!.output).toMatch(/"enis":\[\{/);
    },
  );

  it(
    "'rules' revokes and re-authorizes web:80, then opens web:8080 to the internet node",
    {
      timeout: 120_000,
    },
    async () => {
      const results = await runBlock("rules");
      expectExits(results, [0, 0, 0]);
      for (const r of results) expect(r.output).toMatch(/: done/);
      await waitForAgents();
      expect(await probe("internet", "http", await webPublicIp(), 80)).toMatchObject({ ok: true });
    },
  );

  it(
    "'aws-cli' describes the groups and changes web-sg with the aws CLI",
    {
      timeout: 120_000,
    },
    async () => {
      const results = await runBlock("aws-cli");
      expectExits(
        results,
        results.map(() => 0),
      );
      expect(results[1]!.output).toMatch(/web-sg/);
      await waitForAgents();
      expect(await probe("internet", "http", await webPublicIp(), 80)).toMatchObject({ ok: true });
    },
  );

  it(
    "'resilience' kills and restarts an agent, kills and starts the controller; the stack recovers",
    {
      timeout: 240_000,
    },
    async () => {
      const results = await runBlock("resilience");
      expectExits(results, [0, 0, 0, 0, 0]);
      expect(results[4]!.output).toMatch(/^\{"agents":\[/m);
      await waitForAgents();
      expect(await probe("internet", "http", await webPublicIp(), 80)).toMatchObject({ ok: true });
    },
  );

  it(
    "'chaos' delays web -> db:3306 by 100 ms, lists and clears it; a paused agent-db cuts db off",
    {
      timeout: 240_000,
    },
    async () => {
      const results = await runBlock("chaos");
      expectExits(results, [0, 0, 0, 0, 0, 1, 0]);
      expect(results[0]!.output).toMatch(/^flt-[0-9a-f]{17}\s*$/m);
      const delayed = JSON.parse(/\{.*\}/.exec(results[1]!.output)![0]) as {
        ok: boolean;
        ms: number;
      };
      expect(delayed.ok).toBe(true);
      expect(delayed.ms).toBeGreaterThanOrEqual(95);
      expect(results[2]!.output).toMatch(/active .*delay 100ms/);
      expect(results[3]!.output).toMatch(/removed 1 fault/);
      expect(results[5]!.output).toMatch(/"error":"timeout"/);
      await waitForAgents();
      expect(await probe("web", "tcp", "10.0.2.20", 3306)).toMatchObject({ ok: true });
    },
  );

  it("'down' removes the stack and its volumes", { timeout: 150_000 }, async () => {
    const results = await runBlock("down");
    expectExits(results, [0]);
    const left = docker(["ps", "-aq", "--filter", `label=com.docker.compose.project=${PROJECT}`]);
    expect(left.trim()).toBe("");
    const volumes = docker([
      "volume",
      "ls",
      "-q",
      "--filter",
      `label=com.docker.compose.project=${PROJECT}`,
    ]);
    expect(volumes.trim()).toBe("");
  });
});
