/**
 * Terraform with the hashicorp/aws provider from a local filesystem mirror, for tests against
 * a vpcemu controller on loopback. Nothing is downloaded: the CLI configuration written here
 * allows only the mirror, the plugin cache is a temporary folder, version checks are off
 * (CHECKPOINT_DISABLE) and the provider's endpoints all point at the controller (the fixture's
 * provider block). A missing terraform binary or mirror FAILS the test, naming the fix; nothing
 * skips (STYLE §6).
 *
 * Overrides: VPCEMU_TERRAFORM (binary, default `terraform` on PATH), VPCEMU_TF_PLUGIN_MIRROR
 * (default /opt/tf-plugins, laid out as registry.terraform.io/hashicorp/aws/<v>/<os_arch>/).
 */
import { execFile, execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const AWS_PROVIDER_VERSION = "5.100.0";

export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** TF_LOG=debug output of this run. */
  readonly log: string;
}

/** Throws naming what is missing: the terraform binary or the provider in the mirror. */
export function requireTerraform(): { binary: string; mirror: string } {
  const binary = process.env["VPCEMU_TERRAFORM"] ?? "terraform";
  const mirror = process.env["VPCEMU_TF_PLUGIN_MIRROR"] ?? "/opt/tf-plugins";
  try {
    execFileSync(binary, ["version"], {
      stdio: "pipe",
      env: { PATH: process.env["PATH"] ?? "", CHECKPOINT_DISABLE: "1" },
    });
  } catch (err) {
    throw new Error(
      `prerequisite missing: the terraform binary ('${binary}': ${(err as Error).message}). ` +
        "Install Terraform >= 1.5 on PATH or set VPCEMU_TERRAFORM; this test fails rather than skips.",
    );
  }
  const provider = join(mirror, "registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION);
  if (!existsSync(provider))
    throw new Error(
      `prerequisite missing: the hashicorp/aws ${AWS_PROVIDER_VERSION} provider in a filesystem mirror (${provider}). ` +
        "Fill it with `terraform providers mirror <dir>` on a machine with registry access (or set VPCEMU_TF_PLUGIN_MIRROR); " +
        "this test fails rather than skips.",
    );
  return { binary, mirror };
}

/** A working directory holding a copy of a fixture and its own CLI configuration. */
export class TerraformWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), "vpcemu-tf-"));
  private readonly cliConfig = join(this.dir, "cli.tfrc");
  private runs = 0;

  constructor(
    fixtureDir: string,
    private readonly tf: { binary: string; mirror: string },
  ) {
    cpSync(fixtureDir, join(this.dir, "config"), { recursive: true });
    mkdirSync(join(this.dir, "plugin-cache"));
    mkdirSync(join(this.dir, "home"));
    // Only the mirror: a provider missing from it is an error, never a download.
    writeFileSync(
      this.cliConfig,
      [
        "provider_installation {",
        "  filesystem_mirror {",
        `    path = ${JSON.stringify(tf.mirror)}`,
        "  }",
        "}",
        `plugin_cache_dir = ${JSON.stringify(join(this.dir, "plugin-cache"))}`,
        "disable_checkpoint = true",
        "",
      ].join("\n"),
    );
  }

  /** Runs `terraform <args>` in the copied config with TF_LOG=debug into a per-run file. */
  run(args: readonly string[], timeoutMs = 600_000): Promise<TerraformRun> {
    const logFile = join(this.dir, `tf-${++this.runs}-${args[0] ?? "x"}.log`);
    const env: Record<string, string> = {
      PATH: process.env["PATH"] ?? "",
      HOME: join(this.dir, "home"),
      TF_CLI_CONFIG_FILE: this.cliConfig,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      TF_LOG: "debug",
      TF_LOG_PATH: logFile,
      CHECKPOINT_DISABLE: "1",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: join(this.dir, "home", "aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(this.dir, "home", "aws-credentials"),
    };
    const started = Date.now();
    return new Promise((resolve) => {
      execFile(
        this.tf.binary,
        [...args],
        { cwd: join(this.dir, "config"), env, timeout: timeoutMs, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
          const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
          resolve({ code, stdout, stderr, ms: Date.now() - started, log });
        },
      );
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One AWS Query call the provider made, with what vpcemu answered. */
export interface ProviderCall {
  readonly service: string;
  readonly action: string;
  readonly status: number;
  /** The AWS error code answered, if any. */
  readonly errorCode?: string;
}

/** Log entries: a timestamped line and its continuation lines (attributes, `  | ` body lines). */
function logEntries(log: string): string[][] {
  const entries: string[][] = [];
  for (const line of log.split("\n")) {
    if (/^\d{4}-\d\d-\d\dT/.test(line) || entries.length === 0) entries.push([line]);
    else entries[entries.length - 1]?.push(line);
  }
  return entries;
}

/**
 * The AWS calls in a TF_LOG=debug log, in order of their responses: the provider logs each
 * response as one entry carrying rpc.service, rpc.method, http.status_code and the body.
 */
export function providerCalls(log: string): ProviderCall[] {
  const out: ProviderCall[] = [];
  for (const entry of logEntries(log)) {
    if (!(entry[0] ?? "").includes("HTTP Response Received")) continue;
    const text = entry.join("\n");
    const service = /rpc\.service=([A-Za-z0-9]+)/.exec(text)?.[1];
    const action = /rpc\.method=([A-Za-z0-9]+)/.exec(text)?.[1];
    if (service === undefined || action === undefined) continue;
    const status = Number(/http\.status_code=(\d+)/.exec(text)?.[1] ?? 0);
    const body = entry
      .filter((l) => /^\s*\| /.test(l))
      .map((l) => l.replace(/^\s*\| /, ""))
      .join("");
    const errorCode = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
    out.push({
      service: service.toLowerCase(),
      action,
      status,
      ...(errorCode === undefined ? {} : { errorCode }),
    });
  }
  return out;
}
