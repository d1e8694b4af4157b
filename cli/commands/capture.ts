/**
 * `vpcemu capture NODE [-w FILE] [--filter EXPR] [--underlay] [-c COUNT] [--duration SECONDS]
 * [-s SNAPLEN]`: a node's ENI traffic (and its agent's Geneve underlay) as pcapng, each packet
 * with a comment carrying its verdict and rule (docs/observability.md "Capture"). The filter is
 * libpcap's syntax, checked here before anything starts; the controller streams what the
 * node's agent captures (POST /v1/captures) into FILE, or stdout for `-w -` or no -w (like
 * `tcpdump -w -`). Progress goes to stderr; Ctrl-C stops the capture cleanly (the file ends
 * with each interface's statistics), a second Ctrl-C cuts it.
 */
import { closeSync, createWriteStream, openSync, type WriteStream } from "node:fs";
import { compileCaptureFilter } from "../../node-agent/capture/bpf-filter.js";
import { parseIpAddress } from "../../node-agent/packet/address.js";
import { jsonApiAuthHeaders } from "../runtime/api-credentials.js";
import { findNode, readRuntimeState, runtimeDir, stateFilePath } from "../runtime/runtime-state.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu capture [--runtime-dir DIR | --endpoint URL] NODE [-w FILE] [--filter EXPR]
                      [--underlay] [-c COUNT] [--duration SECONDS] [-s SNAPLEN] [-q]

Captures NODE's traffic as pcapng: every packet its ENIs sent or received, accepted or
dropped, with a comment such as
'verdict=drop reason=sg_no_match dir=ingress groups=[sg-...] conntrack=none'.
NODE: a node of 'vpcemu up' (name, instance id, address, or 'internet'); with --endpoint
(or $VPCEMU_ENDPOINT: any controller, e.g. compose's) an instance id, ENI id, external node
name or agent id.

  -w FILE            write to FILE ('-' or no -w: stdout, which must not be a terminal)
  --filter EXPR      libpcap filter (pcap-filter(7)), e.g. 'icmp or tcp port 3306'
  --underlay         also the Geneve datagrams of NODE's agent (tshark decodes them)
  -c COUNT           stop after COUNT packets
  --duration SECS    stop after SECS seconds
  -s SNAPLEN         bytes kept per packet (default 65535)
  -q                 no progress on stderr

Read it with tshark: tshark -r FILE -T fields -e frame.comment -e ip.src -e ip.dst`;

const OPTIONS = {
  write: { type: "string", short: "w" },
  filter: { type: "string" },
  underlay: { type: "boolean" },
  count: { type: "string", short: "c" },
  duration: { type: "string" },
  snaplen: { type: "string", short: "s" },
  quiet: { type: "boolean", short: "q" },
  "runtime-dir": { type: "string" },
  endpoint: { type: "string" },
} as const;

function positiveInt(flag: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} must be an integer from 1 to ${max}, got '${text}'\n${USAGE}`);
  }
  return n;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS, USAGE, true);
  if (!parsed) return 0;
  const v = parsed.values;
  if (parsed.positionals.length !== 1) throw new UsageError(`expected one NODE\n${USAGE}`);
  const count = positiveInt("-c", v.count as string | undefined, Number.MAX_SAFE_INTEGER);
  const duration = positiveInt("--duration", v.duration as string | undefined, 86400);
  const snaplen = positiveInt("-s", v.snaplen as string | undefined, 262144);
  const filter = (v.filter as string | undefined) ?? "";
  // The filter first: a filter libpcap refuses starts nothing.
  const compiled = compileCaptureFilter(filter);
  if (typeof compiled === "string") {
    throw new UsageError(`--filter '${filter}': ${compiled}`);
  }
  compiled.free();
  const out = (v.write as string | undefined) ?? "-";
  if (out === "-" && process.stdout.isTTY) {
    throw new UsageError(
      `refusing to write pcapng to a terminal: give -w FILE or pipe stdout (e.g. | tshark -r -)`,
    );
  }
  const ref = parsed.positionals[0]!;
  const endpoint = (v.endpoint as string | undefined) ?? (process.env.VPCEMU_ENDPOINT || undefined);
  const target =
    endpoint !== undefined
      ? await targetOnController(controllerUrlOf(endpoint), ref)
      : targetInRuntime(v["runtime-dir"] as string | undefined, ref);
  const body = {
    ...target.spec,
    ...(filter !== "" ? { filter } : {}),
    ...(v.underlay === true ? { underlay: true } : {}),
    ...(snaplen !== undefined ? { snaplen } : {}),
    ...(count !== undefined ? { maxPackets: count } : {}),
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
  };
  return capture(target.controllerUrl, body, target.name, out, v.quiet === true);
}

interface Target {
  readonly controllerUrl: string;
  /** What POST /v1/captures is to capture: { instance } | { eni } | { external } | { agent }. */
  readonly spec: Record<string, string>;
  readonly name: string;
}

/** NODE among the nodes of the local runtime (its state file). */
function targetInRuntime(explicitDir: string | undefined, ref: string): Target {
  const dir = runtimeDir(explicitDir);
  const state = readRuntimeState(dir);
  if (!state)
    throw new Error(
      `no local runtime (${stateFilePath(dir)} does not exist): start one with 'vpcemu up', or give --endpoint`,
    );
  const node = findNode(state, ref);
  if (!node) {
    const nodes = state.nodes.map((n) => n.name).join(", ");
    // An address-like NODE that does not parse is a malformed address, not an unknown name.
    if (/^[0-9.]+$|:/.test(ref) && parseIpAddress(ref) === undefined)
      throw new Error(`'${ref}' is not a valid IP address (nodes: ${nodes})`);
    throw new Error(`unknown node '${ref}' (nodes: ${nodes})`);
  }
  return {
    controllerUrl: state.controllerUrl,
    spec: node.instanceId !== undefined ? { instance: node.instanceId } : { external: node.name },
    name: node.name,
  };
}

function controllerUrlOf(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint ${endpoint}: not a URL (e.g. http://127.0.0.1:4566)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--endpoint ${endpoint}: expected an http:// or https:// URL`);
  return endpoint.replace(/\/+$/, "");
}

/**
 * NODE on any controller (compose, testcontainers): an instance id (i-...), an ENI id
 * (eni-...), an external node's name or an agent id, checked against GET /v1/agents.
 */
async function targetOnController(controllerUrl: string, ref: string): Promise<Target> {
  let agents: Array<{ agentId: string; instanceIds: string[]; externals: { name: string }[] }>;
  try {
    const res = await fetch(new URL("/v1/agents", controllerUrl), {
      headers: jsonApiAuthHeaders(),
    });
    if (!res.ok) throw new Error(`GET /v1/agents: ${res.status}`);
    agents = ((await res.json()) as { agents: typeof agents }).agents;
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(
      `cannot reach the controller at ${controllerUrl}: ${cause ?? (err as Error).message}`,
    );
  }
  const name = ref;
  if (/^i-[0-9a-f]+$/.test(ref)) return { controllerUrl, spec: { instance: ref }, name };
  if (/^eni-[0-9a-f]+$/.test(ref)) return { controllerUrl, spec: { eni: ref }, name };
  if (agents.some((a) => a.externals.some((x) => x.name === ref)))
    return { controllerUrl, spec: { external: ref }, name };
  if (agents.some((a) => a.agentId === ref)) return { controllerUrl, spec: { agent: ref }, name };
  const instances = agents.flatMap((a) => a.instanceIds);
  const externals = agents.flatMap((a) => a.externals.map((x) => x.name));
  throw new Error(
    `unknown node '${ref}' on ${controllerUrl}: give an instance id (${instances.join(", ") || "none"}), ` +
      `an ENI id, an external node (${externals.join(", ") || "none"}) or an agent id (${agents.map((a) => a.agentId).join(", ") || "none"})`,
  );
}

/** Streams POST /v1/captures into `out`; resolves with the exit code. */
async function capture(
  controllerUrl: string,
  body: Record<string, unknown>,
  nodeName: string,
  out: string,
  quiet: boolean,
): Promise<number> {
  // The file first: a path that cannot be written starts nothing.
  let fd: number | undefined;
  if (out !== "-") {
    try {
      fd = openSync(out, "w");
    } catch (err) {
      throw new Error(`cannot write ${out}: ${(err as Error).message}`);
    }
  }
  const abort = new AbortController();
  const url = new URL("/v1/captures", controllerUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...jsonApiAuthHeaders() },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(
      `cannot reach the controller at ${controllerUrl}: ${cause ?? (err as Error).message}`,
    );
  }
  if (!res.ok || res.body === null) {
    if (fd !== undefined) closeSync(fd);
    const err = (await res.json().catch(() => undefined)) as
      { code?: string; message?: string } | undefined;
    throw new Error(`${err?.code ?? res.status}: ${err?.message ?? res.statusText}`);
  }
  const captureId = res.headers.get("x-vpcemu-capture-id") ?? "";
  const agentId = res.headers.get("x-vpcemu-agent-id") ?? "";
  const progress = new Progress(quiet);
  progress.line(
    `vpcemu capture: capturing ${nodeName} on agent ${agentId} (${captureId}) to ${out === "-" ? "stdout" : out}; Ctrl-C stops`,
  );
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      // Stop cleanly: the agent ends the file with its statistics blocks.
      void fetch(new URL(`/v1/captures/${encodeURIComponent(captureId)}`, controllerUrl), {
        method: "DELETE",
        headers: jsonApiAuthHeaders(),
      }).catch(() => abort.abort());
    } else {
      abort.abort();
    }
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  const sink: WriteStream | NodeJS.WriteStream =
    fd === undefined ? process.stdout : createWriteStream("", { fd });
  let writeError: Error | undefined;
  sink.on("error", (err: Error) => {
    writeError ??= err;
    abort.abort();
  });
  const blocks = new BlockCounter();
  try {
    const reader = res.body.getReader();
    for (;;) {
      let chunk: { done: boolean; value?: Uint8Array };
      try {
        chunk = await reader.read();
      } catch (err) {
        if (abort.signal.aborted) break;
        throw err;
      }
      if (chunk.done || chunk.value === undefined || writeError !== undefined) break;
      blocks.feed(chunk.value);
      progress.count(blocks.packets);
      if (!sink.write(chunk.value)) {
        await new Promise<void>((resolve) => {
          sink.once("drain", resolve);
          sink.once("error", () => resolve());
        });
      }
    }
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
    if (sink !== process.stdout && writeError === undefined) {
      await new Promise<void>((resolve, reject) =>
        (sink as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
    }
  }
  if (writeError !== undefined) {
    throw new Error(`writing ${out === "-" ? "stdout" : out}: ${writeError.message}`);
  }
  progress.done(blocks.packets, blocks.dropped);
  return 0;
}

/** Progress on stderr: a counter line on a terminal, the summary always (unless -q). */
class Progress {
  private lastMs = 0;
  private readonly tty = process.stderr.isTTY === true;
  constructor(private readonly quiet: boolean) {}

  line(text: string): void {
    if (!this.quiet) process.stderr.write(text + "\n");
  }

  count(packets: number): void {
    if (this.quiet || !this.tty) return;
    const now = Date.now();
    if (now - this.lastMs < 200) return;
    this.lastMs = now;
    process.stderr.write(`\r${packets} packets`);
  }

  done(packets: number, dropped: number): void {
    if (this.quiet) return;
    if (this.tty) process.stderr.write("\r");
    process.stderr.write(
      `${packets} packet${packets === 1 ? "" : "s"} captured` +
        (dropped > 0 ? `, ${dropped} dropped by the agent (buffer full)` : "") +
        "\n",
    );
  }
}

/**
 * Counts Enhanced Packet Blocks and sums isb_ifdrop over the pcapng stream as it arrives
 * (blocks may span chunks). The agent writes little-endian sections.
 */
export class BlockCounter {
  packets = 0;
  dropped = 0;
  private buf = new Uint8Array(0);

  feed(chunk: Uint8Array): void {
    const all = new Uint8Array(this.buf.length + chunk.length);
    all.set(this.buf, 0);
    all.set(chunk, this.buf.length);
    const view = new DataView(all.buffer);
    let at = 0;
    while (at + 8 <= all.length) {
      const type = view.getUint32(at, true);
      const len = view.getUint32(at + 4, true);
      if (len < 12 || at + len > all.length) break;
      if (type === 6) this.packets++;
      else if (type === 5) this.dropped += isbDrops(view, at, len);
      at += len;
    }
    this.buf = all.slice(at);
  }
}

/** isb_ifdrop (option 5) of the Interface Statistics Block at `at`. */
function isbDrops(view: DataView, at: number, len: number): number {
  let p = at + 20;
  const end = at + len - 4;
  while (p + 4 <= end) {
    const code = view.getUint16(p, true);
    const olen = view.getUint16(p + 2, true);
    if (code === 0) break;
    if (code === 5 && olen === 8) return Number(view.getBigUint64(p + 4, true));
    p += 4 + ((olen + 3) & ~3);
  }
  return 0;
}
