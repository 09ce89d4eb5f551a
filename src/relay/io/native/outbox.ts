/**
 * The frames one native endpoint sends at the end of a batch, and the send itself.
 *
 * UDP: frames become `sendmmsg` messages, and consecutive frames to one peer with one size (the last may be shorter)
 * share a message carrying a UDP_SEGMENT control (UDP generic segmentation offload). The kernel then runs the whole
 * run through the IP stack once and cuts it into ordinary datagrams only at the end (on loopback, when it queues them
 * on the receiving socket), so receivers see exactly the datagrams they would have seen. Measured on this project's
 * 2-core host with a C forwarder: 3.9 µs of CPU per 64 B frame with one message per frame, 1.8 µs with segmentation.
 * A path that refuses it (no checksum offload, an MTU below the segment size, an old kernel) gets one message per frame
 * from then on. AF_PACKET: one message per frame. TAP: one `write` per frame (the tun driver has no batch call).
 */
import type { EndpointHandlers } from '../types.ts';
import {
  CMSG_BYTES,
  IOVEC_BYTES,
  MMSGHDR_BYTES,
  MMSGHDR_WORDS,
  MSG_CONTROL,
  MSG_CONTROLLEN,
  MSG_IOV,
  MSG_IOVLEN,
  MSG_NAME,
  MSG_NAMELEN,
  NAME_BYTES,
  putWord64,
} from './layout.ts';
import { EAGAIN, EINTR, EMSGSIZE, ENOBUFS, MSG_DONTWAIT, SOL_UDP, UDP_SEGMENT, errnoError } from './libc.ts';
import type { Libc, NativeMemory } from './libc.ts';

/** Frames per outbox: one receive batch (a fuller outbox is sent at once). */
export const OUTBOX_FRAMES = 32;
/** Segments the kernel accepts in one message (UDP_MAX_SEGMENTS: 64 before Linux 6.4, 128 since). */
const MAX_SEGMENTS = 64;
/** A segmented message is one UDP datagram until the kernel cuts it: its payload must fit one (IPv4's limit). */
const MAX_SEGMENTED_BYTES = 65_507;
/** What sendmmsg answers when segmentation is refused on this path: EINVAL, EIO, ENOPROTOOPT, EOPNOTSUPP. */
const SEGMENTATION_REFUSED = new Set([22, 5, 92, 95]);
/** Errors a UDP send reports when a peer is not listening yet or a route comes and goes (links survive them). */
export const TRANSIENT_UDP = new Set(['ECONNREFUSED', 'ENETDOWN', 'ENETUNREACH', 'EHOSTUNREACH', 'EINVAL', 'EPERM']);

const IOV_OFFSET = OUTBOX_FRAMES * MMSGHDR_BYTES;
const NAME_OFFSET = IOV_OFFSET + OUTBOX_FRAMES * IOVEC_BYTES;
const CONTROL_OFFSET = NAME_OFFSET + OUTBOX_FRAMES * NAME_BYTES;
const OUTBOX_BYTES = CONTROL_OFFSET + OUTBOX_FRAMES * CMSG_BYTES;
/** cmsg_len of a control carrying one 16-bit segment size: CMSG_LEN(2). */
const SEGMENT_CMSG_LEN = 18;
/** An outbox's memory until its first message-built frame (a `write` outbox never needs any). */
const UNALLOCATED: NativeMemory = { bytes: new Uint8Array(0), address: 0 };

/**
 * `udp`: sendmmsg with a destination per message, segmentation allowed. `packet`: sendmmsg to the bound interface, one
 * frame per message. `write`: one write() per frame.
 */
export type OutboxMode = 'udp' | 'packet' | 'write';

export class Outbox {
  #closed = false;
  readonly #fd: number;
  readonly #mode: OutboxMode;
  readonly #handlers: EndpointHandlers;
  readonly #libc: Libc;
  #memory = UNALLOCATED;
  #words: Uint32Array = new Uint32Array(0);
  /** Segmentation offload, until the path refuses it. */
  #segmenting: boolean;
  /** Frames queued; frame i is iovec i. */
  #count = 0;
  readonly #addresses = new Float64Array(OUTBOX_FRAMES);
  readonly #lengths = new Uint32Array(OUTBOX_FRAMES);
  readonly #peers: Array<Uint8Array | null> = new Array(OUTBOX_FRAMES).fill(null);
  /** Messages built from the frames: message m covers `#segments[m]` frames from `#first[m]`. */
  #messages = 0;
  readonly #first = new Uint8Array(OUTBOX_FRAMES);
  readonly #segments = new Uint8Array(OUTBOX_FRAMES);
  /** Whether the last message may take another segment, and its payload so far. */
  #open = false;
  #bytes = 0;
  /** The sockaddr each message's name slot holds: most outboxes send to one peer, so the copy happens once. */
  readonly #slotPeers: Array<Uint8Array | null> = new Array(OUTBOX_FRAMES).fill(null);

  constructor(fd: number, mode: OutboxMode, handlers: EndpointHandlers, libc: Libc) {
    this.#fd = fd;
    this.#mode = mode;
    this.#handlers = handlers;
    this.#libc = libc;
    this.#segmenting = mode === 'udp';
  }

  /**
   * The message vector, built at the first frame rather than with the endpoint: most of a lab's endpoints sit idle
   * (100 VPCS linked in pairs send nothing until asked), and building it for each at creation cost ≈ 4.3 KiB of native
   * memory per endpoint and made TurboFan compile this set-up code, ≈ 1.7 MiB of a worker with 50 idle bridges
   * (docs/performance.md, "Relay worker memory, fifth session").
   */
  #allocate(): void {
    const memory = this.#libc.alloc(OUTBOX_BYTES);
    memory.bytes.fill(0);
    const words = new Uint32Array(memory.bytes.buffer, memory.bytes.byteOffset, OUTBOX_BYTES >>> 2);
    const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset);
    for (let m = 0; m < OUTBOX_FRAMES && this.#mode === 'udp'; m++) {
      const at = m * MMSGHDR_WORDS;
      putWord64(words, at + MSG_NAME, memory.address + NAME_OFFSET + m * NAME_BYTES);
      putWord64(words, at + MSG_CONTROL, memory.address + CONTROL_OFFSET + m * CMSG_BYTES);
      const control = CONTROL_OFFSET + m * CMSG_BYTES;
      view.setUint32(control, SEGMENT_CMSG_LEN, true);
      view.setInt32(control + 8, SOL_UDP, true);
      view.setInt32(control + 12, UDP_SEGMENT, true);
    }
    this.#memory = memory;
    this.#words = words;
  }

  get pending(): number {
    return this.#count;
  }

  /**
   * Queues a frame at native `address` (it must stay valid until `send`); `peer` is the destination sockaddr for UDP,
   * null otherwise. Returns true when the outbox is full and must be sent now.
   */
  push(address: number, length: number, peer: Uint8Array | null): boolean {
    const i = this.#count++;
    this.#addresses[i] = address;
    this.#lengths[i] = length;
    if (this.#mode !== 'write') {
      if (this.#memory === UNALLOCATED) this.#allocate();
      const iov = (IOV_OFFSET + i * IOVEC_BYTES) >>> 2;
      putWord64(this.#words, iov, address);
      putWord64(this.#words, iov + 2, length);
      this.#peers[i] = peer;
      if (!this.#join(i)) this.#start(i);
    }
    return this.#count === OUTBOX_FRAMES;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Ends the outbox and gives its native memory back (an endpoint closed or handed to another worker: bridges come and
   * go for the life of a worker). Send what should go first; later pushes are the caller's to refuse.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.discard();
    if (this.#memory !== UNALLOCATED) this.#libc.free(this.#memory);
  }

  /** Forgets what is queued without sending it. */
  discard(): void {
    this.#count = 0;
    this.#messages = 0;
    this.#open = false;
  }

  /** Hands everything queued to the kernel; a frame the kernel refuses is dropped with its reason and the rest still go. */
  send(): void {
    const count = this.#count;
    let total = this.#messages;
    this.discard();
    if (count === 0 || this.#closed) return;
    if (this.#mode === 'write') {
      this.#write(count);
      return;
    }
    let sent = 0;
    while (sent < total) {
      const result = this.#libc.sendmmsg(this.#fd, this.#memory.address + sent * MMSGHDR_BYTES, total - sent, MSG_DONTWAIT);
      if (result > 0) {
        sent += result;
        continue;
      }
      const errno = this.#libc.errno();
      if (errno === EINTR) continue;
      if (this.#segments[sent]! > 1 && SEGMENTATION_REFUSED.has(errno)) {
        this.#segmenting = false;
        total = this.#rebuild(this.#first[sent]!, count);
        sent = 0;
        continue;
      }
      if (errno === EAGAIN || errno === ENOBUFS) {
        this.drop('send_buffer_full', count - this.#first[sent]!);
        return;
      }
      this.#failed(errno, 'sendmmsg', this.#segments[sent]!);
      sent++;
    }
  }

  /** Appends frame i to the last message as one more segment, if the kernel can cut them apart again. */
  #join(i: number): boolean {
    if (!this.#open) return false;
    const m = this.#messages - 1;
    const head = this.#first[m]!;
    const size = this.#lengths[head]!;
    const length = this.#lengths[i]!;
    if (this.#peers[i] !== this.#peers[head] || length > size || this.#bytes + length > MAX_SEGMENTED_BYTES) return false;
    const segments = ++this.#segments[m]!;
    this.#bytes += length;
    // Only the last segment may be shorter; so may be the last of the kernel's cap.
    if (length < size || segments === MAX_SEGMENTS) this.#open = false;
    const at = m * MMSGHDR_WORDS;
    this.#words[at + MSG_IOVLEN] = segments;
    if (segments === 2) {
      this.#words[at + MSG_CONTROLLEN] = CMSG_BYTES;
      const control = CONTROL_OFFSET + m * CMSG_BYTES + 16;
      this.#memory.bytes[control] = size & 0xff;
      this.#memory.bytes[control + 1] = size >>> 8;
    }
    return true;
  }

  /** Starts a message with frame i. */
  #start(i: number): void {
    const m = this.#messages++;
    this.#first[m] = i;
    this.#segments[m] = 1;
    this.#bytes = this.#lengths[i]!;
    this.#open = this.#segmenting;
    const at = m * MMSGHDR_WORDS;
    putWord64(this.#words, at + MSG_IOV, this.#memory.address + IOV_OFFSET + i * IOVEC_BYTES);
    this.#words[at + MSG_IOVLEN] = 1;
    this.#words[at + MSG_CONTROLLEN] = 0;
    const peer = this.#peers[i]!;
    if (peer && this.#slotPeers[m] !== peer) {
      this.#slotPeers[m] = peer;
      this.#memory.bytes.set(peer, NAME_OFFSET + m * NAME_BYTES);
      this.#words[at + MSG_NAMELEN] = peer.length;
    }
  }

  /** One message per frame for frames `from`..`count`-1, in message slots from 0 (those were sent); returns how many. */
  #rebuild(from: number, count: number): number {
    this.#messages = 0;
    this.#open = false;
    for (let i = from; i < count; i++) this.#start(i);
    const total = this.#messages;
    this.#messages = 0;
    return total;
  }

  #write(count: number): void {
    for (let i = 0; i < count; ) {
      if (this.#libc.write(this.#fd, this.#addresses[i]!, this.#lengths[i]!) >= 0) {
        i++;
        continue;
      }
      const errno = this.#libc.errno();
      if (errno === EINTR) continue;
      if (errno === EAGAIN || errno === ENOBUFS) {
        this.drop('send_buffer_full', count - i);
        return;
      }
      this.#failed(errno, 'write', 1);
      i++;
    }
  }

  #failed(errno: number, syscall: string, frames: number): void {
    const error = errnoError(errno, syscall, 'send');
    this.drop(errno === EMSGSIZE ? 'too_big' : 'send_error', frames);
    if (errno !== EMSGSIZE && !TRANSIENT_UDP.has(error.code)) this.#handlers.error(error, false);
  }

  /** Counts `frames` frames of this endpoint as dropped for `reason`. */
  drop(reason: string, frames = 1): void {
    for (let i = 0; i < frames; i++) this.#handlers.drop(reason);
  }
}
