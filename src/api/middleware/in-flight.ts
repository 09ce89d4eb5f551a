/**
 * Tracks requests being handled so that a shutdown can let them finish: once draining, new requests get 503 (a status
 * the GNS3 controller understands) and `drain()` resolves when the last in-flight request has answered.
 */
import type { MiddlewareHandler } from 'hono';
import { fail } from '../../errors/index.ts';
import { errorResponse } from '../error-response.ts';

export class InFlight {
  #count = 0;
  #draining = false;
  #idle: Array<() => void> = [];

  get count(): number {
    return this.#count;
  }

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (this.#draining) {
        c.header('Connection', 'close');
        return errorResponse(c, fail('SHUTTING_DOWN'));
      }
      this.#count += 1;
      try {
        await next();
      } finally {
        this.#count -= 1;
        if (this.#count === 0) for (const resolve of this.#idle.splice(0)) resolve();
      }
    };
  }

  /** Refuses new requests and waits up to `timeoutMs` for the current ones; returns how many were still running. */
  async drain(timeoutMs: number): Promise<number> {
    this.#draining = true;
    if (this.#count === 0) return 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.#idle.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    return this.#count;
  }
}
