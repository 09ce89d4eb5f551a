/** Everything a relay worker hosts (bridges, later fabrics), driven by commands arriving on its control port. */
import type { MessagePort } from 'node:worker_threads';
import { Bridge } from './bridge.ts';
import type { Command, Reply, Request, WorkerMessage } from './protocol.ts';
import type { RelayEvent } from './types.ts';

export class RelayHost {
  #port: MessagePort;
  #bridges = new Map<string, Bridge>();
  #closed: Promise<void>;
  #markClosed!: () => void;

  constructor(port: MessagePort) {
    this.#port = port;
    this.#closed = new Promise((resolve) => (this.#markClosed = resolve));
    port.on('message', (request: Request) => void this.#handle(request));
  }

  /** Settles after a `shutdown` command has closed every socket. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  post(message: WorkerMessage): void {
    this.#port.postMessage(message);
  }

  emit = (event: RelayEvent): void => this.post({ event });

  async #handle(request: Request): Promise<void> {
    let reply: Reply;
    try {
      reply = { seq: request.seq, ok: true, result: await this.#execute(request) };
    } catch (error) {
      const { message, code } = error as NodeJS.ErrnoException;
      reply = { seq: request.seq, ok: false, error: message, ...(code ? { code } : {}) };
    }
    this.post(reply);
    if (request.op === 'shutdown') {
      this.#port.close();
      this.#markClosed();
    }
  }

  async #execute(command: Command): Promise<unknown> {
    switch (command.op) {
      case 'createBridge': {
        if (this.#bridges.has(command.id)) throw new Error(`Bridge "${command.id}" already exists`);
        this.#bridges.set(command.id, await Bridge.open(command.id, command.spec, this.emit));
        return undefined;
      }
      case 'updateBridge':
        return this.#bridge(command.id).update(command.patch);
      case 'deleteBridge': {
        const bridge = this.#bridge(command.id);
        this.#bridges.delete(command.id);
        return bridge.close();
      }
      case 'startCapture':
        return this.#bridge(command.id).startCapture(command.file, command.append);
      case 'stopCapture':
        return this.#bridge(command.id).stopCapture();
      case 'stats':
        return this.#bridge(command.id).stats();
      case 'crash':
        setTimeout(() => {
          throw new Error('Relay worker crash requested');
        });
        return undefined;
      case 'shutdown': {
        const bridges = [...this.#bridges.values()];
        this.#bridges.clear();
        await Promise.all(bridges.map((bridge) => bridge.close()));
        return undefined;
      }
    }
  }

  #bridge(id: string): Bridge {
    const bridge = this.#bridges.get(id);
    if (!bridge) throw new Error(`Bridge "${id}" does not exist`);
    return bridge;
  }
}
