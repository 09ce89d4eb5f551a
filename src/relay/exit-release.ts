/**
 * Native descriptors released before the process exits. When the main thread exits (process.exit, the shutdown
 * deadline, a fatal error) Node terminates every worker thread, and no JavaScript runs in a terminated worker; if
 * one still has koffi poll handles open, koffi's readiness callback calls into the stopping thread and aborts the
 * process (seen with traffic flowing: "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw"). So the main
 * thread, in its 'exit' event, asks each worker through shared memory to close its descriptors (Atomics.waitAsync
 * wakes the worker's event loop) and waits briefly for the answer.
 */

/** Shared between the pool and one worker: [0] set by the main thread to ask, [1] set by the worker once done. */
export type ReleaseSignal = Int32Array;

const ASK = 0;
const DONE = 1;

/** Longest the exiting main thread waits for all workers together. */
const EXIT_WAIT_MS = 500;

// TypeScript's ES2023 library predates Atomics.waitAsync (Node ≥ 16 and Deno have it).
type WaitAsync = (array: Int32Array, index: number, value: number) => { async: boolean; value: Promise<unknown> | string };

export const newReleaseSignal = (): ReleaseSignal => new Int32Array(new SharedArrayBuffer(8));

/** Worker side: runs `release` (closing descriptors synchronously) once the main thread asks. */
export function releaseOnExit(signal: ReleaseSignal, release: () => void): void {
  const waiting = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(signal, ASK, 0);
  void Promise.resolve(waiting.value).then(() => {
    release();
    Atomics.store(signal, DONE, 1);
    Atomics.notify(signal, DONE);
  });
}

/**
 * Main side, from a process 'exit' listener: asks every worker, calls `asked` (which wakes workers that wait outside
 * their event loop), then blocks until each answered or time is up.
 */
export function releaseBeforeExit(signals: ReleaseSignal[], asked: () => void): void {
  for (const signal of signals) {
    Atomics.store(signal, ASK, 1);
    Atomics.notify(signal, ASK);
  }
  asked();
  const deadline = Date.now() + EXIT_WAIT_MS;
  for (const signal of signals) Atomics.wait(signal, DONE, 0, Math.max(0, deadline - Date.now()));
}
