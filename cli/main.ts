/**
 * The `vpcemu` command: argv -> one command module -> exit code. The only process.exit of the
 * CLI. Every command module exports `run(args: string[]): Promise<number>` and reports its own
 * errors; a usage error (unknown command or flag) exits 2.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./commands/usage.js";

type CommandModule = { run(args: string[]): Promise<number> };

/** Command name -> loader and one-line summary (loaded lazily: `vpcemu exec` must start fast). */
const COMMANDS: Record<string, { load: () => Promise<CommandModule>; summary: string }> = {
  controller: {
    load: () => import("./commands/controller.js"),
    summary: "run the controller (EC2 Query API, JSON API, agent hub) in the foreground",
  },
  agent: {
    load: () => import("./commands/agent.js"),
    summary: "run a node agent for one network namespace",
  },
  "agent-host": {
    load: () => import("./commands/agent-host.js"),
    summary: "host the agents of many nodes in one process (started by `vpcemu up`)",
  },
  up: {
    load: () => import("./commands/up.js"),
    summary: "start the local runtime: controller, namespaces and agents [-f topology.yaml]",
  },
  down: {
    load: () => import("./commands/down.js"),
    summary: "stop the local runtime started by `vpcemu up` and remove everything it made",
  },
  status: {
    load: () => import("./commands/status.js"),
    summary: "show the local runtime: up, controller and agent processes, nodes [-o json]",
  },
  exec: {
    load: () => import("./commands/exec.js"),
    summary: "run a program inside a node: vpcemu exec NODE -- CMD [ARGS...]",
  },
  conntrack: {
    load: () => import("./commands/conntrack.js"),
    summary: "show a node's connection tracking table: vpcemu conntrack NODE [-o json]",
  },
  explain: {
    load: () => import("./commands/explain.js"),
    summary: "explain hop by hop whether SRC reaches DST:PORT/PROTO and back [--probe] [-o json]",
  },
  chaos: {
    load: () => import("./commands/chaos.js"),
    summary:
      "inject faults: delay, loss, partitions, conntrack, agent/controller kills (docs/chaos.md)",
  },
  capture: {
    load: () => import("./commands/capture.js"),
    summary:
      "capture a node's traffic as pcapng, each packet with its verdict: vpcemu capture NODE [-w FILE] [--filter EXPR]",
  },
  audit: {
    load: () => import("./commands/audit.js"),
    summary: "stage a rule set beside the enforced one and see what it would block or allow",
  },
  whatif: {
    load: () => import("./commands/whatif.js"),
    summary:
      "what an EC2 call would do to the live flows, without making it (docs/observability.md)",
  },
  demo: {
    load: () => import("./commands/demo.js"),
    summary: "run the two-tier seed scenario on real traffic and report PASS/FAIL",
  },
};

/** Text of `vpcemu --help`. */
export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`,
  );
  return [
    "Usage: vpcemu <command> [options]",
    "",
    "Emulates AWS VPC security groups and network ACLs on real traffic.",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  -h, --help     show this help (or `vpcemu <command> --help`)",
    "  -v, --version  print the version",
    "",
    "The local runtime (up, down, status, exec, conntrack, capture, demo) needs Linux, root, /dev/net/tun and iproute2.",
    "`vpcemu chaos` talks to any controller (--endpoint URL); its process faults need `vpcemu up`.",
  ].join("\n");
}

/** Version from package.json (one directory up from cli/ or dist/cli/). */
export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3; i++) {
    dir = dirname(dir);
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "vpcemu" && pkg.version) return pkg.version;
    } catch {
      // Why: keep climbing; dist/cli/main.js sits one level deeper than cli/main.ts.
    }
  }
  return "unknown";
}

/** Dispatches argv (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    process.stdout.write(helpText() + "\n");
    return first === undefined ? 2 : 0;
  }
  if (first === "-v" || first === "--version") {
    process.stdout.write(`vpcemu ${version()}\n`);
    return 0;
  }
  // Why hasOwn: `vpcemu constructor` is an unknown command, not Object.prototype's member.
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!command) {
    const what = first.startsWith("-") ? `unknown option '${first}'` : `unknown command '${first}'`;
    process.stderr.write(`vpcemu: ${what}\nRun 'vpcemu --help' for the list of commands.\n`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`vpcemu ${first}: ${err.message}\n`);
      return 2;
    }
    if (isParseArgsError(err)) {
      process.stderr.write(`vpcemu ${first}: ${(err as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`vpcemu ${first}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.VPCEMU_DEBUG && err instanceof Error && err.stack) {
      process.stderr.write(err.stack + "\n");
    }
    return 1;
  }
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for bad flags. */
function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

// Why: importing main.ts from tests must not run the CLI; bin/vpcemu.js imports this module as
// the entry, so run only when this file is the process's entry or was loaded by the bin.
const entry = process.argv[1] ?? "";
if (/(?:^|[\\/])(?:vpcemu(?:\.js)?|main\.[jt]s)$/.test(entry)) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
