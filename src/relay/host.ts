/** Everything a relay worker hosts (bridges and fabrics), driven by commands arriving on its control port. */
import type { MessagePort } from 'node:worker_threads';
import { Bridge } from './bridge.ts';
import { PatchbayError } from '../errors/index.ts';
import { Fabric } from './fabric.ts';
import type { RelayIo } from './io/types.ts';
import { assertNew, existing } from './by-id.ts';
import { LoopbackDirectory } from './loopback.ts';
import type { Command, Handovers, Reply, Request, WorkerMessage } from './protocol.ts';
import type { RelayEvent } from './types.ts';

export class RelayHost {
  #port: MessagePort;
  #io: RelayIo;
  #bridges = new Map<string, Bridge>();
  #fabrics = new Map<string, Fabric>();
  #loopback = new LoopbackDirectory();
  #closed: Promise<void>;
  #markClosed!: () => void;

  constructor(port: MessagePort, io: RelayIo) {
    this.#port = port;
    this.#io = io;
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
    // A command may wait on the event loop (a module import, a name lookup, a namespace move): frames arriving
    // meanwhile are forwarded from the loop, which is not kept waiting for them.
    const letLoopGo = this.#io.holdLoop();
    try {
      reply = { seq: request.seq, ok: true, result: await this.#execute(request) };
    } catch (error) {
      const { message, code } = error as NodeJS.ErrnoException;
      reply = { seq: request.seq, ok: false, error: message, ...(code ? { code } : {}) };
      if (error instanceof PatchbayError) reply.fields = { ...error.fields, ...(error.exception ? { exception: error.exception } : {}) };
    } finally {
      letLoopGo();
    }
    this.post(reply);
    if (request.op === 'shutdown') {
      this.#io.close();
      this.#port.close();
      this.#markClosed();
    }
  }

  async #execute(command: Command): Promise<unknown> {
    switch (command.op) {
      case 'createBridge': {
        assertNew(this.#bridges, 'Bridge', command.id);
        this.#bridges.set(command.id, await Bridge.open(command.id, command.spec, this.#io, this.emit, this.#loopback));
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
      case 'createFabric':
        assertNew(this.#fabrics, 'Fabric', command.id);
        this.#fabrics.set(command.id, await Fabric.open(command.id, command.kind, this.#io, this.emit, this.#loopback));
        return undefined;
      case 'setFabricPort':
        return this.#fabric(command.id).setPort(command.port, command.endpoint, command.config);
      case 'deleteFabric': {
        const fabric = this.#fabric(command.id);
        this.#fabrics.delete(command.id);
        return fabric.close();
      }
      case 'startFabricCapture':
        return this.#fabric(command.id).startCapture(command.port, command.file, command.append);
      case 'stopFabricCapture':
        return this.#fabric(command.id).stopCapture(command.port);
      case 'fabricStats':
        return this.#fabric(command.id).stats(command.port);
      case 'traffic': {
        const received: Record<string, number> = {};
        for (const [id, bridge] of this.#bridges) received[id] = bridge.counters.packetsIn;
        for (const [id, fabric] of this.#fabrics) received[id] = fabric.received();
        return received;
      }
      case 'detach': {
        // One synchronous step for the whole group: no frame is forwarded between two of its members' detaches.
        const handovers: Handovers = { bridges: {}, fabrics: {} };
        for (const id of command.bridges) {
          handovers.bridges[id] = this.#bridge(id).detach(command.custody);
          this.#bridges.delete(id);
        }
        for (const id of command.fabrics) {
          handovers.fabrics[id] = this.#fabric(id).detach(command.custody);
          this.#fabrics.delete(id);
        }
        return handovers;
      }
      case 'adoptBridge': {
        assertNew(this.#bridges, 'Bridge', command.id);
        const { id, handover, custody } = command;
        this.#bridges.set(id, await Bridge.adopt(id, handover, custody, this.#io, this.emit, this.#loopback));
        return undefined;
      }
      case 'adoptFabric': {
        assertNew(this.#fabrics, 'Fabric', command.id);
        const { id, kind, ports, custody } = command;
        this.#fabrics.set(id, await Fabric.adopt(id, kind, ports, custody, this.#io, this.emit, this.#loopback));
        return undefined;
      }
      case 'sweep':
        return this.#io.sweep(command.custody);
      case 'crash':
        setTimeout(() => {
          throw new Error('Relay worker crash requested');
        });
        return undefined;
      case 'shutdown': {
        const all = [...this.#bridges.values(), ...this.#fabrics.values()];
        this.#bridges.clear();
        this.#fabrics.clear();
        await Promise.all(all.map((each) => each.close()));
        return undefined;
      }
    }
  }

  #fabric(id: string): Fabric {
    return existing(this.#fabrics, 'Fabric', id);
  }

  #bridge(id: string): Bridge {
    return existing(this.#bridges, 'Bridge', id);
  }
}
