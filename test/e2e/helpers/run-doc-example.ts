/**
 * Runs documentation examples as a user would paste them.
 *
 * TypeScript: the package is built as published (`tsc -p tsconfig.build.json` into a temp
 * dist/ beside a copy of package.json, so `vpcemu/testcontainers` resolves through package.json
 * "exports" to dist/testcontainers/index.js and its .d.ts). Each example goes, unchanged, into
 * NAME.ts of a fresh ES module project that has that package and the repository's dependencies
 * in node_modules and a plain strict NodeNext tsconfig; it is typechecked with tsc, then run with
 * tsx.
 *
 * Shell: each command of a block runs verbatim, in order, in one bash (on a pseudo-terminal when
 * asked), from the repository root; a command's exit code and output are recorded between marker
 * lines.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..", "..", "..");

export interface ProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** execFile that resolves with the exit code instead of rejecting on a non-zero one. */
export function runProcess(
  file: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProcessResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, maxBuffer: 32 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        const killed = err && err.killed ? `\n(killed after ${opts.timeoutMs} ms)` : "";
        resolve({ exitCode: code, stdout, stderr: stderr + killed, ms: performance.now() - t0 });
      },
    );
  });
}

const bin = (tool: string): string => join(REPO_ROOT, "node_modules", ".bin", tool);

/** The package as `npm pack` would ship its testcontainers entry: package.json and dist/. */
export interface BuiltPackage {
  readonly dir: string;
  readonly build: ProcessResult;
  remove(): Promise<void>;
}

/** Builds the package into a temp directory (`npm run build`, with another outDir). */
export async function buildPackage(env: NodeJS.ProcessEnv): Promise<BuiltPackage> {
  const dir = await mkdtemp(join(tmpdir(), "vpcemu-pkg-"));
  const build = await runProcess(
    bin("tsc"),
    ["-p", join(REPO_ROOT, "tsconfig.build.json"), "--outDir", join(dir, "dist")],
    { cwd: REPO_ROOT, env, timeoutMs: 180_000 },
  );
  await copyFile(join(REPO_ROOT, "package.json"), join(dir, "package.json"));
  // The package's own dependencies, as npm would install them beside it.
  await symlink(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return { dir, build, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A user's tsconfig: strict ES modules on Node, with the lib `await using` needs. */
const USER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2023", "ESNext.Disposable"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  },
};

export interface TsExampleResult {
  readonly typecheck: ProcessResult;
  /** Undefined when the typecheck failed (the example is not run then). */
  readonly run: ProcessResult | undefined;
}

/**
 * Typechecks and runs one TypeScript example in a temp project that depends on `pkg`; removes
 * the project after.
 */
export async function runTsExample(
  name: string,
  code: string,
  opts: { pkg: BuiltPackage; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<TsExampleResult> {
  const dir = await mkdtemp(join(tmpdir(), "vpcemu-docs-"));
  try {
    const modules = join(dir, "node_modules");
    await mkdir(modules);
    for (const entry of await readdir(join(REPO_ROOT, "node_modules"))) {
      if (entry !== "vpcemu")
        await symlink(join(REPO_ROOT, "node_modules", entry), join(modules, entry));
    }
    await symlink(opts.pkg.dir, join(modules, "vpcemu"), "dir");
    const tsconfig = { ...USER_TSCONFIG, include: [`${name}.ts`] };
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    // An ES module project, as the docs require (top-level await, `await using`).
    await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
    await writeFile(join(dir, `${name}.ts`), code);
    const typecheck = await runProcess(bin("tsc"), ["-p", join(dir, "tsconfig.json")], {
      cwd: dir,
      env: opts.env,
      timeoutMs: 120_000,
    });
    if (typecheck.exitCode !== 0) return { typecheck, run: undefined };
    const run = await runProcess(bin("tsx"), [join(dir, `${name}.ts`)], {
      cwd: dir,
      env: opts.env,
      timeoutMs: opts.timeoutMs,
    });
    return { typecheck, run };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ShellCommandResult {
  readonly command: string;
  readonly exitCode: number;
  /** stdout and stderr, interleaved as the terminal shows them. */
  readonly output: string;
}

const MARK = "@@vpcemu-docs";
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Runs `commands` in one bash (so `export` and variables carry from one to the next), each
 * verbatim, and returns each one's exit code and output. With `tty`, bash runs on a pseudo-terminal
 * (util-linux `script`), as in the terminal a user pastes into: `docker-compose exec` without -T
 * needs one.
 */
export async function runShellCommands(
  commands: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; tty?: boolean },
): Promise<{ results: ShellCommandResult[]; raw: ProcessResult }> {
  const script = [opts.tty ? "exec 2>&1" : "exec 2>&1 </dev/null"];
  commands.forEach((c, i) => {
    script.push(`echo '${MARK} start ${i}'`, c, `echo "${MARK} exit ${i} $?"`);
  });
  const dir = await mkdtemp(join(tmpdir(), "vpcemu-docs-sh-"));
  let raw: ProcessResult;
  try {
    const file = join(dir, "block.sh");
    await writeFile(file, script.join("\n") + "\n");
    raw = opts.tty
      ? await runProcess("script", ["-qec", `bash ${file}`, "/dev/null"], opts)
      : await runProcess("bash", [file], opts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const results: ShellCommandResult[] = [];
  // A terminal gets \r\n, and progress lines redrawn with \r and escape sequences that may
  // share a line with a marker.
  const lines = raw.stdout.replace(/\r\n?/g, "\n").replace(ANSI_ESCAPE, "").split("\n");
  const marker = new RegExp(`${MARK} (start|exit) (\\d+)(?: (\\d+))?`);
  let current: { index: number; out: string[] } | undefined;
  for (const line of lines) {
    const m = marker.exec(line);
    const before = m ? line.slice(0, m.index) : line;
    if (current && before) current.out.push(before);
    if (m?.[1] === "start") {
      current = { index: Number(m[2]), out: [] };
    } else if (m?.[1] === "exit" && current) {
      results.push({
        command: commands[current.index]!,
        exitCode: Number(m[3]),
        output: current.out.join("\n"),
      });
      current = undefined;
    }
  }
  return { results, raw };
}

/** A readable transcript of shell results for assertion messages. */
export function transcript(results: readonly ShellCommandResult[]): string {
  return results.map((r) => `$ ${r.command}\n${r.output}\n[exit ${r.exitCode}]`).join("\n");
}
