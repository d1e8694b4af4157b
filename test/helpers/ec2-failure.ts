/** The AWS error code (`.name`), HTTP status and message an SDK call fails with; throws if it succeeds. */
export async function ec2Failure(
  p: Promise<unknown>,
): Promise<{ code: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { code: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error("expected the call to fail");
}
