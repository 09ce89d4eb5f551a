/** Long-lived node streams: the live pcap of a capture and the console websocket. Neither takes the node lock. */
import { Hono, type Context } from 'hono';
import { connect, type Socket } from 'node:net';
import { open } from 'node:fs/promises';
import type { Compute } from '../../compute/compute.ts';
import type { BaseNode, PortRef } from '../../compute/node.ts';
import type { Runtime } from '../../runtime/types.ts';
import { fail } from '../../errors/index.ts';

const NODE = '/projects/:project_id/:node_type/nodes/:node_id';
const POLL_MS = 100;
const CHUNK = 64 * 1024;

/** Streams a capture file from its start and follows it while it grows, until the capture stops. */
export function followCapture(node: BaseNode, ref: PortRef, file: string): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  let offset = 0;
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (!cancelled) {
        if (!handle) {
          try {
            handle = await open(file, 'r');
          } catch {
            handle = null;
          }
        }
        if (handle) {
          const buffer = new Uint8Array(CHUNK);
          const { bytesRead } = await handle.read(buffer, 0, CHUNK, offset);
          if (bytesRead > 0) {
            offset += bytesRead;
            controller.enqueue(buffer.subarray(0, bytesRead));
            return;
          }
        }
        let capturing = false;
        try {
          capturing = node.captureFile(ref) === file;
        } catch {
          // The NIO is gone: so is the capture.
        }
        if (!capturing) {
          await handle?.close();
          controller.close();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async cancel() {
      cancelled = true;
      await handle?.close();
    },
  });
}

export function streamRoutes(compute: Compute, runtime: Runtime): Hono {
  const app = new Hono();
  const nodeOf = (c: Context) =>
    compute.node(c.req.param('project_id')!, c.req.param('node_type')!, c.req.param('node_id')!);

  app.get(`${NODE}/adapters/:adapter_number{[0-9]+}/ports/:port_number{[0-9]+}/pcap`, (c) => {
    const node = nodeOf(c);
    const ref = { adapter: Number(c.req.param('adapter_number')), port: Number(c.req.param('port_number')) };
    const file = node.captureFile(ref);
    if (!file) throw fail('CAPTURE_NOT_ACTIVE');
    return new Response(followCapture(node, ref, file), {
      headers: { 'Content-Type': 'application/vnd.tcpdump.pcap' },
    });
  });

  app.get(`${NODE}/console/ws`, async (c, next) => {
    const node = nodeOf(c);
    const json = node.toJSON() as { console?: number | null; console_type?: string };
    if (node.status !== 'started') throw fail('NODE_NOT_STARTED', node.name);
    if (json.console_type !== 'telnet' || json.console == null) {
      throw fail('NODE_NO_TELNET_CONSOLE', node.name);
    }
    const port = json.console;
    const upgrade = runtime.upgradeWebSocket(() => {
      let telnet: Socket | null = null;
      return {
        onOpen(_event, ws) {
          telnet = connect({ host: compute.consoleHost, port });
          telnet.on('data', (data) => ws.send(new Uint8Array(data)));
          telnet.on('close', () => ws.close());
          telnet.on('error', () => ws.close());
        },
        onMessage(event) {
          const data = event.data;
          if (typeof data === 'string') telnet?.write(data);
          else if (data instanceof ArrayBuffer) telnet?.write(new Uint8Array(data));
          else if (ArrayBuffer.isView(data)) telnet?.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        },
        onClose() {
          telnet?.destroy();
        },
      };
    });
    return upgrade(c, next);
  });

  return app;
}
