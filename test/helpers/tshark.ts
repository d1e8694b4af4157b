/**
 * Debian's tshark as the reader of the capture files vpcemu writes (node-agent/capture/pcapng.ts):
 * fields of every frame, one row per frame. A missing tshark fails the test (STYLE.md §6:
 * nothing is skipped); scripts/setup.sh installs it.
 */
import { execFileSync } from "node:child_process";

/** Throws unless tshark is on PATH. */
export function requireTshark(): void {
  try {
    execFileSync("tshark", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("tshark is missing: install Debian's tshark (bash scripts/setup.sh does)");
  }
}

/**
 * `tshark -r FILE -T fields -e F1 -e F2 ...` as rows of strings (occurrences of a field joined
 * by ","). `extra` goes before the fields (e.g. a display filter: ["-Y", "icmp"]).
 */
export function tsharkFields(
  file: string,
  fields: readonly string[],
  extra: readonly string[] = [],
): string[][] {
  const out = execFileSync(
    "tshark",
    [
      "-r",
      file,
      ...extra,
      "-T",
      "fields",
      "-E",
      "separator=/t",
      "-E",
      "occurrence=a",
      "-E",
      "aggregator=,",
      ...fields.flatMap((f) => ["-e", f]),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
}
