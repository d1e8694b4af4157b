/**
 * An agent host process as `vpcemu up` drives it (cli/runtime/agent-host-process.ts over the
 * real `vpcemu agent-host` child and its IPC channel): a node whose agent cannot start is
 * reported with its reason, by agent id, while the host goes on; a host that dies settles what
 * was pending and is reported with how it ended. No namespace or TUN is made: the starts here
 * fail before any (a namespace that does not exist, wrong arguments).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentHostProcess } from "../../cli/runtime/agent-host-process.js";
import { waitUntil } from "../helpers/wait-until.js";

let dir: string;
const hosts: AgentHostProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-agent-host-"));
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  rmSync(dir, { recursive: true, force: true });
});

function host(index: number, onExit: (how: string) => void = () => undefined): AgentHostProcess {
  const h = new AgentHostProcess({
    index,
    logFile: join(dir, `agent-host-${index}.log`),
    env: { ...process.env },
    onExit,
  });
  hosts.push(h);
  return h;
}

/** `vpcemu agent` arguments of a node whose namespace does not exist. */
function argsFor(agentId: string): string[] {
  return [
    "--controller",
    "http://127.0.0.1:9",
    "--agent-id",
    agentId,
    "--netns",
    `vpcemu-t${process.pid}-missing-${agentId}`,
    "--instance",
    agentId,
  ];
}

describe("agent host process", () => {
  it("reports a node's failed start with its reason and keeps hosting the others", async () => {
    const h = host(1);
    const failed = h.startAgent("i-0000000000000000a", argsFor("i-0000000000000000a"), "k");
    await expect(failed).rejects.toThrow(
      new RegExp(
        `network namespace 'vpcemu-t${process.pid}-missing-i-0000000000000000a' does not exist|needs root`,
      ),
    );
    // Wrong arguments are the node's failure too, named by the first line of the usage error.
    await expect(
      h.startAgent("i-0000000000000000b", ["--agent-id", "i-0000000000000000b"], "k"),
    ).rejects.toThrow(/--controller is required/);
    // The host is still there for the next node, and a stop of a node it does not run answers.
    expect(h.running).toBe(true);
    await h.stopAgent("i-0000000000000000c");
    // Its log names the agent that failed.
    const log = readFileSync(h.logFile, "utf8");
    expect(log).toMatch(/agent i-0000000000000000a: WARN .*(does not exist|needs root)/);
  }, 60_000);

  it("a host that dies is reported with how it ended, and what was pending is settled", async () => {
    const exits: string[] = [];
    const h = host(2, (how) => exits.push(how));
    await h.stopAgent("i-0000000000000000d"); // answered once the host is ready
    // This test started the host; it SIGKILLs it (a crash).
    process.kill(h.pid!, "SIGKILL");
    await waitUntil("the host's exit to be reported", () => exits.length > 0, 10_000, 10);
    expect(exits).toEqual(["SIGKILL"]);
    expect(h.running).toBe(false);
    await expect(h.startAgent("i-0000000000000000e", argsFor("e"), "k")).rejects.toThrow(
      /agent host 2 (is not running|exited \(SIGKILL\))/,
    );
    await h.stopAgent("i-0000000000000000e");
  }, 60_000);

  it("stop() ends the host without reporting it as a crash", async () => {
    const exits: string[] = [];
    const h = host(3, (how) => exits.push(how));
    await h.stopAgent("i-0000000000000000f");
    await h.stop();
    expect(h.running).toBe(false);
    expect(exits).toEqual([]);
  }, 60_000);
});
