/**
 * Waiting for what a test means instead of for a fixed time (issue 14 item 7): poll a condition
 * until it holds, with a deadline that only bounds a failure. A loaded machine makes the wait
 * longer, never the test wrong.
 */

/**
 * Polls `cond` every `pollMs` (default 2 ms) until it holds; throws naming `what` after
 * `timeoutMs` (default 5 s).
 */
export async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  pollMs = 2,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
