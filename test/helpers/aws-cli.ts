/**
 * The real `aws` binary (aws-cli v1 from pyenv here; CI installs Debian's awscli) run against a
 * vpcemu endpoint on loopback with static credentials and no user configuration. A missing `aws`
 * FAILS the calling test, naming the prerequisite; nothing skips (STYLE §6).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface AwsResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface AwsCliOptions {
  readonly endpoint: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  readonly region?: string;
}

/** An isolated HOME for the CLI; `dispose()` removes it. */
export class AwsCli {
  readonly home = mkdtempSync(join(tmpdir(), "vpcemu-awscli-"));

  constructor(private readonly defaults: AwsCliOptions) {}

  /** Runs `aws <args> --endpoint-url <endpoint> --output json`; resolves with exit code and output. */
  run(args: readonly string[], opts: Partial<AwsCliOptions> = {}): Promise<AwsResult> {
    const o = { ...this.defaults, ...opts };
    const env: Record<string, string> = {
      PATH: process.env["PATH"] ?? "",
      HOME: this.home,
      AWS_ACCESS_KEY_ID: o.accessKeyId ?? "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: o.secretAccessKey ?? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_DEFAULT_REGION: o.region ?? "us-east-1",
      AWS_CONFIG_FILE: join(this.home, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(this.home, "credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_PAGER: "",
    };
    if (o.sessionToken !== undefined) env["AWS_SESSION_TOKEN"] = o.sessionToken;
    return new Promise((resolve, reject) => {
      execFile(
        "aws",
        [...args, "--endpoint-url", o.endpoint, "--output", "json"],
        { env, timeout: 60_000 },
        (err, stdout, stderr) => {
          if (err !== null && (err as NodeJS.ErrnoException).code === "ENOENT") {
            reject(
              new Error(
                "prerequisite missing: the `aws` CLI is not on PATH. Install it (Debian: `apt-get install awscli`, " +
                  "or `pip install awscli`); this test fails rather than skips.",
              ),
            );
            return;
          }
          const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Runs and parses JSON output; a non-zero exit throws with the CLI's stderr. */
  async json<T = Record<string, unknown>>(
    args: readonly string[],
    opts: Partial<AwsCliOptions> = {},
  ): Promise<T> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`aws ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return (r.stdout.trim() === "" ? {} : JSON.parse(r.stdout)) as T;
  }

  dispose(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
