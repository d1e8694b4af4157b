/**
 * Prerequisites of the test tiers that need more than Node (STYLE.md §6): a missing one makes
 * the tests FAIL with a message naming it and how to get it; nothing is ever skipped.
 */
import { missingPrerequisites } from "../../cli/runtime/netns.js";

/**
 * Throws (failing the calling hook or test) unless Linux, root/CAP_NET_ADMIN, /dev/net/tun,
 * iproute2 and every command of `extraCommands` (e.g. "ping", "iperf3", "nft") are present.
 */
export function requireNetnsPrerequisites(extraCommands: readonly string[] = []): void {
  const missing = missingPrerequisites(extraCommands);
  if (missing.length > 0) {
    throw new Error(
      "netns tests need what is missing here (they fail rather than skip):\n" +
        missing.map((m) => `  - ${m.what}: ${m.fix}`).join("\n"),
    );
  }
}
