// A minimal supervisor of `vpcemu controller`, PID 1 of the testcontainers module's emulator
// container (testcontainers/vpc-emulator-container.ts): the container, and so its mapped ports,
// outlives a killed controller, which comes back with the state file it was given (--state).
//
//   node controller-supervisor.mjs run CONTROLLER-ARGS...   the entrypoint: start and watch it
//   node controller-supervisor.mjs kill [--down-ms N]       (docker exec) SIGKILL it; `run`
//                                                           starts it again N ms later (default 1000)
//   node controller-supervisor.mjs status                   (docker exec) one JSON line
//
// run: a controller killed by `kill` is started again after its downtime; one that dies of
// another signal (OOM, a kill -9 of someone else) after 1 s, up to 5 times in a row; one that
// exits by itself with a code (bad arguments, a clean stop) ends the supervisor with that code,
// so a container that cannot start fails visibly. SIGTERM and SIGINT are passed on, and the
// supervisor exits with the controller. The controller's output is the container's.
// Files: $VPCEMU_SUPERVISOR_DIR (default /run/vpcemu-controller): status.json, hold (a pending
// kill's downtime).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const DIR = process.env.VPCEMU_SUPERVISOR_DIR ?? "/run/vpcemu-controller";
const STATUS = join(DIR, "status.json");
const HOLD = join(DIR, "hold");
const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "vpcemu.js");
const MAX_CRASHES = 5;
const HEALTHY_RUN_MS = 30_000;

const say = (line) => process.stderr.write(`controller-supervisor: ${line}\n`);

function readStatus() {
  try {
    return JSON.parse(readFileSync(STATUS, "utf8"));
  } catch {
    return undefined;
  }
}

function writeStatus(status) {
  const tmp = `${STATUS}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(status)}\n`);
  renameSync(tmp, STATUS);
}

function run(args) {
  mkdirSync(DIR, { recursive: true });
  rmSync(HOLD, { force: true });
  let child;
  let stopping = false;
  let crashes = 0;
  const status = { pid: null, starts: 0, lastExit: null, downUntilMs: null };
  writeStatus(status);

  const start = () => {
    if (stopping) return;
    const c = spawn(process.execPath, [BIN, "controller", ...args], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, VPCEMU_CONTROLLER_READY_IPC: "1" },
    });
    child = c;
    const startedAtMs = Date.now();
    c.on("message", (m) => {
      if (m?.type !== "vpcemu-controller-listening") return;
      Object.assign(status, { pid: c.pid, starts: status.starts + 1, downUntilMs: null });
      writeStatus(status);
    });
    c.once("error", (err) => say(`cannot start the controller: ${err.message}`));
    c.once("exit", (code, signal) => {
      child = undefined;
      const how = signal ?? `code ${code}`;
      status.pid = null;
      status.lastExit = { pid: c.pid, how, atMs: Date.now() };
      if (stopping) {
        writeStatus(status);
        process.exit(code ?? 0);
      }
      let holdMs;
      try {
        holdMs = Number(readFileSync(HOLD, "utf8"));
        rmSync(HOLD, { force: true });
      } catch {
        holdMs = undefined;
      }
      if (holdMs !== undefined && Number.isFinite(holdMs) && holdMs >= 0) {
        status.downUntilMs = Date.now() + holdMs;
        writeStatus(status);
        say(`controller (pid ${c.pid}) killed (${how}); starting it again in ${holdMs} ms`);
        setTimeout(start, holdMs);
        return;
      }
      if (signal === null) {
        writeStatus(status);
        say(`controller exited (${how}); exiting with it`);
        process.exit(code ?? 1);
      }
      if (Date.now() - startedAtMs >= HEALTHY_RUN_MS) crashes = 0;
      crashes += 1;
      if (crashes > MAX_CRASHES) {
        writeStatus(status);
        say(`controller died (${how}) ${MAX_CRASHES} times in a row; giving up`);
        process.exit(1);
      }
      status.downUntilMs = Date.now() + 1000;
      writeStatus(status);
      say(`controller died (${how}); starting it again in 1 s`);
      setTimeout(start, 1000);
    });
  };

  const stop = (sig) => {
    stopping = true;
    if (child) child.kill(sig);
    else process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  start();
}

async function kill(args) {
  const i = args.indexOf("--down-ms");
  const downMs = i >= 0 ? Number(args[i + 1]) : 1000;
  if (!Number.isFinite(downMs) || downMs < 0) {
    say(`--down-ms must be a number of ms >= 0, got '${args[i + 1]}'`);
    process.exit(2);
  }
  const pid = readStatus()?.pid;
  if (typeof pid !== "number") {
    say("the controller is not running (down, or not started yet)");
    process.exit(1);
  }
  writeFileSync(HOLD, String(downMs));
  process.kill(pid, "SIGKILL");
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = readStatus();
    if (s?.lastExit?.pid === pid) {
      process.stdout.write(`${JSON.stringify({ pid, exit: s.lastExit.how, downMs })}\n`);
      return;
    }
    if (Date.now() > deadline) {
      say(`pid ${pid} was sent SIGKILL but the supervisor did not see it exit within 10 s`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === "run") run(rest);
else if (command === "kill") await kill(rest);
else if (command === "status") process.stdout.write(`${JSON.stringify(readStatus() ?? null)}\n`);
else {
  say("usage: controller-supervisor.mjs run CONTROLLER-ARGS... | kill [--down-ms N] | status");
  process.exit(2);
}
