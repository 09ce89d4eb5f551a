/** Waiting for asynchronous state in tests, with a generous cap and no timing assertion. */

/**
 * Polls `check` until it returns something other than undefined (a throw counts as "not yet"), and resolves with it;
 * fails naming `what` after `capMs`.
 *
 * @example const node = await eventually(async () => ((await get()).status === 'stopped' ? true : undefined), 'node stopped');
 */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, capMs = 30_000): Promise<T> {
  const deadline = Date.now() + capMs;
  for (;;) {
    const value = await Promise.resolve().then(check).catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
