/**
 * Just enough of two protocols to look at a VNC console from the outside: an X11 client that maps one window of a
 * solid colour (so something is drawn on the display), and an RFB client that reads back pixels of the framebuffer.
 */
import { connect, type Socket } from 'node:net';

/** Reads exactly `n` bytes from a socket, buffering what arrives early. */
class Reader {
  #buffer = Buffer.alloc(0);
  #waiting: (() => void) | null = null;
  #ended = false;

  constructor(socket: Socket) {
    socket.on('data', (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#waiting?.();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#waiting?.();
    });
  }

  async read(n: number): Promise<Buffer> {
    while (this.#buffer.length < n) {
      if (this.#ended) throw new Error(`connection closed while waiting for ${n} bytes`);
      await new Promise<void>((resolve) => (this.#waiting = resolve));
      this.#waiting = null;
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }
}

const open = (options: { path: string } | { host: string; port: number }) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(options as never, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });

/**
 * Connects to an X server's socket and maps a `width`×`height` window at the top left whose background is the
 * screen's white pixel. The window lives as long as the returned socket stays open.
 */
export async function drawWhiteWindow(socketPath: string, width: number, height: number): Promise<Socket> {
  const socket = await open({ path: socketPath });
  const reader = new Reader(socket);
  // Connection setup, little-endian, protocol 11.0, no authorisation.
  const setup = Buffer.alloc(12);
  setup.write('l', 0);
  setup.writeUInt16LE(11, 2);
  socket.write(setup);
  const head = await reader.read(8);
  if (head[0] !== 1) throw new Error(`X server refused the connection (status ${head[0]})`);
  const body = await reader.read(head.readUInt16LE(6) * 4);
  const idBase = body.readUInt32LE(4);
  const vendorLength = body.readUInt16LE(16);
  const formats = body[21]!;
  const screen = 32 + Math.ceil(vendorLength / 4) * 4 + formats * 8;
  const root = body.readUInt32LE(screen);
  const white = body.readUInt32LE(screen + 8);
  const window = idBase | 1;
  // CreateWindow (opcode 1): depth and visual copied from the root, InputOutput, value mask = background pixel.
  const create = Buffer.alloc(36);
  create.writeUInt8(1, 0);
  create.writeUInt16LE(9, 2);
  create.writeUInt32LE(window, 4);
  create.writeUInt32LE(root, 8);
  create.writeUInt16LE(width, 16);
  create.writeUInt16LE(height, 18);
  create.writeUInt16LE(1, 22);
  create.writeUInt32LE(0x2, 28);
  create.writeUInt32LE(white, 32);
  // MapWindow (opcode 8), then GetInputFocus (opcode 43) as a round trip: once it answers, both were processed.
  const map = Buffer.alloc(8);
  map.writeUInt8(8, 0);
  map.writeUInt16LE(2, 2);
  map.writeUInt32LE(window, 4);
  const sync = Buffer.alloc(4);
  sync.writeUInt8(43, 0);
  sync.writeUInt16LE(1, 2);
  socket.write(Buffer.concat([create, map, sync]));
  const reply = await reader.read(32);
  if (reply[0] !== 1) throw new Error(`X server answered with error code ${reply[1]}`);
  return socket;
}

/** The RFB banner a VNC server sends first, e.g. `RFB 003.008`. */
export async function rfbBanner(host: string, port: number): Promise<string> {
  const socket = await open({ host, port });
  try {
    return (await new Reader(socket).read(12)).toString('latin1').trim();
  } finally {
    socket.destroy();
  }
}

/**
 * Reads a `width`×`height` rectangle at the top left of a VNC server's framebuffer (RFB 3.8, no authentication) as
 * 0xRRGGBB values.
 */
export async function rfbPixels(host: string, port: number, width: number, height: number): Promise<number[]> {
  const socket = await open({ host, port });
  const reader = new Reader(socket);
  try {
    await reader.read(12);
    socket.write('RFB 003.008\n');
    const types = await reader.read((await reader.read(1))[0]!);
    if (!types.includes(1)) throw new Error(`the VNC server wants authentication (security types ${[...types]})`);
    socket.write(Buffer.from([1]));
    if ((await reader.read(4)).readUInt32BE(0) !== 0) throw new Error('VNC security handshake failed');
    socket.write(Buffer.from([1])); // ClientInit: shared
    const init = await reader.read(24);
    await reader.read(init.readUInt32BE(20)); // desktop name
    // SetPixelFormat: 32 bits per pixel, depth 24, little-endian, true colour 8:8:8 at shifts 16/8/0.
    const format = Buffer.alloc(20);
    format.writeUInt8(0, 0);
    Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0]).copy(format, 4);
    // SetEncodings: Raw only. FramebufferUpdateRequest: not incremental.
    const encodings = Buffer.from([2, 0, 0, 1, 0, 0, 0, 0]);
    const request = Buffer.alloc(10);
    request.writeUInt8(3, 0);
    request.writeUInt16BE(width, 6);
    request.writeUInt16BE(height, 8);
    socket.write(Buffer.concat([format, encodings, request]));
    const pixels = new Array<number>(width * height).fill(-1);
    let missing = width * height;
    while (missing > 0) {
      const type = (await reader.read(1))[0];
      if (type !== 0) throw new Error(`unexpected RFB server message ${type}`);
      const rects = (await reader.read(3)).readUInt16BE(1);
      for (let r = 0; r < rects; r++) {
        const rect = await reader.read(12);
        const [x, y, w, h] = [0, 2, 4, 6].map((at) => rect.readUInt16BE(at)) as [number, number, number, number];
        if (rect.readInt32BE(8) !== 0) throw new Error(`unexpected encoding ${rect.readInt32BE(8)}`);
        const data = await reader.read(w * h * 4);
        for (let row = 0; row < h; row++) {
          for (let col = 0; col < w; col++) {
            const px = x + col;
            const py = y + row;
            if (px >= width || py >= height) continue;
            if (pixels[py * width + px] === -1) missing--;
            pixels[py * width + px] = data.readUInt32LE((row * w + col) * 4) & 0xffffff;
          }
        }
      }
    }
    return pixels;
  } finally {
    socket.destroy();
  }
}
