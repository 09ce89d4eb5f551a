/** Ethernet hub logic (no I/O): a repeater, every frame goes out of every other connected port. */
import type { Deliver, Forwarder } from './forwarder.ts';

export class HubLogic implements Forwarder {
  #ports: number[] = [];

  setPort(port: number, config: unknown): void {
    this.#ports = this.#ports.filter((p) => p !== port);
    if (config !== null) this.#ports.push(port);
  }

  receive(port: number, frame: Uint8Array, _now: number, deliver: Deliver): string {
    for (const out of this.#ports) if (out !== port) deliver(out, frame);
    return '';
  }
}
