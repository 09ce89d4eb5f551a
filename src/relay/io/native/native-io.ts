/**
 * The native relay I/O of one worker: non-blocking sockets and TAP file descriptors owned by the worker, readiness
 * from the event loop, `recvmmsg` into one ring of preallocated buffers, and one `sendmmsg` (or `write` per frame for
 * TAP) per destination at the end of every received batch. A batch is whatever the kernel has queued when the socket
 * turns readable (MSG_DONTWAIT): nothing ever waits for a batch to fill.
 *
 * Frames handed to the bridges are views into the ring, valid until the batch is flushed; sends of such views go out
 * without a copy. A frame from anywhere else (a release queue, a corrupt filter's copy) is copied into the send arena.
 * After a readiness callback has forwarded its batches, the worker waits for the next frames in poll() while they keep
 * coming, and goes back to the event loop when they stop (linger.ts).
 * A raw (AF_PACKET) side has no recvmmsg on its hot path: the kernel writes its frames into a ring mapped into the
 * worker (packet-ring.ts), whose slots are handed on as views the same way and given back after the flush.
 */
import { requireCapabilities, requireInterface, validateInterfaceName } from '../../endpoint-checks.ts';
import type { Peer } from '../../peer.ts';
import { SOCKET_BUFFER_BYTES } from '../../peer.ts';
import type { DeviceEndpoint, EndpointHandle, EndpointHandlers, RelayIo, UdpSocket } from '../types.ts';
import { claim, deposit, unclaimed } from '../../custody.ts';
import type { Custody } from '../../custody.ts';
import { IOVEC_BYTES, MMSGHDR_BYTES, MMSGHDR_WORDS, MSG_FLAGS, MSG_LEN, initVector, putWord64, readIfreqName, writeIfreq } from './layout.ts';
import {
  AF_INET,
  AF_INET6,
  AF_PACKET,
  EAGAIN,
  EINTR,
  IFF_NO_PI,
  IFF_TAP,
  MSG_DONTWAIT,
  MSG_TRUNC,
  O_CLOEXEC,
  O_NONBLOCK,
  O_RDWR,
  PACKET_ADD_MEMBERSHIP,
  PACKET_IGNORE_OUTGOING,
  SIOCGIFINDEX,
  SIOCGIFMTU,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_PACKET,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_SNDBUF,
  TUNSETIFF,
  errnoError,
} from './libc.ts';
import type { Libc, NativeMemory, Unwatch } from './libc.ts';
import { Linger } from './linger.ts';
import { OUTBOX_FRAMES, Outbox, TRANSIENT_UDP } from './outbox.ts';
import { PacketRing, TP_STATUS_COPY } from './packet-ring.ts';
import type { RingPosition } from './packet-ring.ts';
import { encodeInetAddress, encodePacketAddress, encodePromiscuousMembership } from './sockaddr.ts';
import { splitTcp } from './tcp-segment.ts';

/** Frames per recvmmsg call: one outbox (a batch forwarded to a single destination fills at most one). */
export const BATCH = OUTBOX_FRAMES;
/** Any UDP datagram (≤ 65,507 B), and an Ethernet frame at the largest MTU (65,535) with a VLAN tag. */
export const SLOT_BYTES = 65_560;
/** Batches taken from one socket per readiness before the worker's other sockets (and the event loop) get a turn. */
const BATCHES_PER_WAKE = 8;
/** Destination and source MAC addresses and the EtherType: an untagged frame is this much longer than its IP packet. */
const ETHERNET_HEADER_BYTES = 14;
/** Copies of frames that do not live in the ring, until the next flush. */
const ARENA_BYTES = 4 * 1024 * 1024;

const TUN_PATH = new TextEncoder().encode('/dev/net/tun\0');

/** `read` drains the descriptor when it turns readable; `ring` is a raw side's receive ring. */
type Receiver = {
  fd: number;
  handlers: EndpointHandlers;
  unwatch: Unwatch | null;
  read: () => void;
  resume: () => void;
  closed: boolean;
  ring: PacketRing | null;
  /** A raw side's interface MTU: received frames longer than an untagged frame at it are split if they are TCP. */
  mtu: number;
};

/** One open endpoint: its receive side, its send side, and what it is (for a detach). */
type Entry = { receiver: Receiver; outbox: Outbox; kind: EndpointHandle['kind']; device: string };

/** How long after an AF_PACKET socket reported ENETDOWN its interface is looked up again (deleted, or only down?). */
const DOWN_RECHECK_MS = 200;

export class NativeIo implements RelayIo {
  readonly name = 'native';
  #libc: Libc;
  #ring: NativeMemory;
  #ringWords: Uint32Array;
  /** `#ring.bytes.buffer`, kept: frames viewing it are recognised by it on the hot path. */
  #ringBuffer: ArrayBufferLike;
  #slots: Uint8Array[] = [];
  #arena: NativeMemory;
  #arenaUsed = 0;
  #dirty: Outbox[] = [];
  #dispatching = false;
  #flushQueued = false;
  /** Small argument area for set-up calls (bind addresses, ifreq, socket options); never used on the hot path. */
  #scratch: NativeMemory;
  #sockaddrs = new WeakMap<Peer, Uint8Array>();
  /** Native address of each raw side's ring mapping, by its ArrayBuffer: frames viewed there are sent without a copy. */
  #mapped = new Map<ArrayBufferLike, number>();
  /** Every open endpoint, so a dying worker can release them all at once (see `abandon`). */
  #open = new Set<Entry>();
  #flushAll = () => this.flush();
  /** Where the worker waits for frames while they flow (linger.ts). */
  #linger: Linger;

  constructor(libc: Libc) {
    this.#libc = libc;
    const vectorBytes = BATCH * (MMSGHDR_BYTES + IOVEC_BYTES);
    this.#ring = libc.alloc(vectorBytes + BATCH * SLOT_BYTES);
    this.#ringWords = initVector(this.#ring, BATCH, 0, BATCH * MMSGHDR_BYTES);
    this.#ringBuffer = this.#ring.bytes.buffer;
    for (let i = 0; i < BATCH; i++) {
      const offset = vectorBytes + i * SLOT_BYTES;
      this.#slots.push(this.#ring.bytes.subarray(offset, offset + SLOT_BYTES));
      const iov = (BATCH * MMSGHDR_BYTES + i * IOVEC_BYTES) >>> 2;
      putWord64(this.#ringWords, iov, this.#ring.address + offset);
      putWord64(this.#ringWords, iov + 2, SLOT_BYTES);
    }
    this.#arena = libc.alloc(ARENA_BYTES);
    this.#scratch = libc.alloc(256);
    this.#linger = new Linger(libc);
  }

  async openUdp(lport: number, address: string, handlers: EndpointHandlers): Promise<UdpSocket> {
    const family = address.includes(':') ? 6 : 4;
    const fd = this.#check(
      this.#libc.socket(family === 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
      'socket',
      `UDP port ${lport}`,
    );
    try {
      this.#setBuffers(fd);
      const name = encodeInetAddress(address, lport, family);
      this.#scratch.bytes.set(name);
      this.#check(this.#libc.bind(fd, this.#scratch.address, name.length), 'bind', `${address}:${lport}`);
    } catch (error) {
      this.#libc.close(fd);
      throw error;
    }
    return this.#udp(fd, handlers);
  }

  adoptUdp(handle: EndpointHandle, custody: Custody, handlers: EndpointHandlers): UdpSocket {
    return this.#udp(this.#claim(handle, custody), handlers);
  }

  adoptDevice(handle: EndpointHandle, custody: Custody, handlers: EndpointHandlers): DeviceEndpoint {
    const fd = this.#claim(handle, custody);
    if (handle.kind === 'tap') return this.#tap(fd, handle.device, handlers);
    let ifindex: number;
    try {
      ifindex = this.#ifindex(fd, handle.device);
    } catch (error) {
      this.#libc.close(fd);
      throw error;
    }
    return this.#raw(fd, handle.device, ifindex, handlers, (detail) => PacketRing.adopt(this.#libc, fd, handle.ring!, detail));
  }

  sweep(custody: Custody): void {
    for (const fd of unclaimed(custody)) this.#libc.close(fd);
  }

  async openTap(name: string, handlers: EndpointHandlers): Promise<DeviceEndpoint> {
    validateInterfaceName(name);
    requireCapabilities(['CAP_NET_ADMIN'], `TAP device "${name}"`);
    this.#scratch.bytes.set(TUN_PATH);
    const fd = this.#check(this.#libc.open(this.#scratch.address, O_RDWR | O_NONBLOCK | O_CLOEXEC), 'open', '/dev/net/tun');
    let device: string;
    try {
      writeIfreq(this.#scratch.bytes, 0, name, IFF_TAP | IFF_NO_PI);
      this.#check(this.#libc.ioctl(fd, TUNSETIFF, this.#scratch.address), 'ioctl(TUNSETIFF)', `TAP device "${name}"`);
      device = readIfreqName(this.#scratch.bytes, 0);
    } catch (error) {
      this.#libc.close(fd);
      throw error;
    }
    return this.#tap(fd, device, handlers);
  }

  async openRaw(name: string, handlers: EndpointHandlers): Promise<DeviceEndpoint> {
    requireInterface(name);
    requireCapabilities(['CAP_NET_RAW'], `A raw socket on interface "${name}"`);
    // Protocol 0 until bound: a socket created with ETH_P_ALL would see every interface's frames until bind().
    const fd = this.#check(this.#libc.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), 'socket', 'AF_PACKET');
    let ifindex: number;
    let ring: PacketRing;
    try {
      ifindex = this.#ifindex(fd, name);
      this.#setOption(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, `interface "${name}"`);
      // The receive buffer still holds the full copies of frames larger than a ring slot.
      this.#setBuffers(fd);
      ring = PacketRing.create(this.#libc, fd, this.#mtu(fd, name), this.#scratch, `interface "${name}"`);
      const address = encodePacketAddress(ifindex);
      this.#scratch.bytes.set(address);
      this.#check(this.#libc.bind(fd, this.#scratch.address, address.length), 'bind', `interface "${name}"`);
      const membership = encodePromiscuousMembership(ifindex);
      this.#scratch.bytes.set(membership);
      this.#check(
        this.#libc.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, this.#scratch.address, membership.length),
        'setsockopt(PACKET_ADD_MEMBERSHIP)',
        `interface "${name}"`,
      );
    } catch (error) {
      // Closing the socket also frees its ring; the mapping (made last) exists only if nothing failed.
      this.#libc.close(fd);
      throw error;
    }
    return this.#raw(fd, name, ifindex, handlers, () => ring);
  }

  holdLoop(): () => void {
    return this.#linger.holdLoop();
  }

  get doorbell(): number {
    return this.#linger.doorbell;
  }

  /** Sends every queued frame; after it, ring views and arena copies may be reused. */
  flush(): void {
    this.#flushQueued = false;
    for (let i = 0; i < this.#dirty.length; i++) this.#dirty[i]!.send();
    this.#dirty.length = 0;
    this.#arenaUsed = 0;
  }

  close(): void {
    this.flush();
    this.abandon();
    this.#libc.dispose();
  }

  /**
   * Stops every readiness watch and closes every descriptor at once, without flushing: for a worker about to die of an
   * uncaught error. Its descriptors are not Node handles, so nothing else would close them, and koffi's poll handles
   * must be closed before the thread's event loop goes away.
   */
  abandon(): void {
    // Nothing queued may be sent while endpoints close: a frame may be a view into a ring unmapped meanwhile.
    for (const entry of this.#open) entry.outbox.discard();
    for (const entry of [...this.#open]) void this.#closeEndpoint(entry);
  }

  /** Endpoints over an open descriptor (just opened, or adopted from another worker); from here this worker owns it. */
  #udp(fd: number, handlers: EndpointHandlers): UdpSocket {
    const entry = this.#track(this.#watchMessages(fd, handlers, false, ''), new Outbox(fd, 'udp', handlers, this.#libc), 'udp', '');
    return {
      send: (frame, peer) => this.#enqueue(entry.outbox, frame, this.#sockaddr(peer)),
      close: async () => this.#closeEndpoint(entry),
      detach: (custody) => this.#detach(entry, custody),
    };
  }

  #tap(fd: number, device: string, handlers: EndpointHandlers): DeviceEndpoint {
    const receiver = this.#receiver(fd, handlers);
    receiver.read = () => this.#receiveReads(receiver);
    receiver.unwatch = this.#watch(fd, receiver.read);
    return this.#device(this.#track(receiver, new Outbox(fd, 'write', handlers, this.#libc), 'tap', device));
  }

  /** A raw side over socket `fd`, reading from the ring `mapRing` maps (closing `fd` if that or reading the MTU fails). */
  #raw(fd: number, name: string, ifindex: number, handlers: EndpointHandlers, mapRing: (detail: string) => PacketRing): DeviceEndpoint {
    let ring: PacketRing;
    let mtu: number;
    try {
      mtu = this.#mtu(fd, name);
      ring = mapRing(`interface "${name}"`);
    } catch (error) {
      this.#libc.close(fd);
      throw error;
    }
    this.#mapped.set(ring.memory.bytes.buffer, ring.memory.address);
    const receiver = this.#receiver(fd, handlers);
    receiver.ring = ring;
    receiver.mtu = mtu;
    receiver.read = () => this.#receiveRing(receiver, ring, name);
    receiver.resume = () => this.#recheckInterface(receiver, name, ifindex);
    receiver.unwatch = this.#watch(fd, receiver.read);
    return this.#device(this.#track(receiver, new Outbox(fd, 'packet', handlers, this.#libc), 'raw', name));
  }

  #receiver(fd: number, handlers: EndpointHandlers): Receiver {
    return { fd, handlers, unwatch: null, read: () => {}, resume: () => {}, closed: false, ring: null, mtu: 0 };
  }

  #device(entry: Entry): DeviceEndpoint {
    return {
      device: entry.device,
      send: (frame) => this.#enqueue(entry.outbox, frame, null),
      close: async () => this.#closeEndpoint(entry),
      detach: (custody) => this.#detach(entry, custody),
    };
  }

  #track(receiver: Receiver, outbox: Outbox, kind: Entry['kind'], device: string): Entry {
    const entry = { receiver, outbox, kind, device };
    this.#open.add(entry);
    return entry;
  }

  /**
   * Sends what is queued, stops watching, and moves the descriptor from this worker's open set into the custody in one
   * synchronous step (see custody.ts): if this worker dies later, its `abandon` no longer closes it.
   */
  #detach(entry: Entry, custody: Custody): EndpointHandle {
    if (entry.outbox.closed) throw new Error('Relay endpoint is already closed');
    const fd = entry.receiver.fd;
    const at = deposit(custody, fd);
    this.#end(entry);
    const ring = entry.receiver.ring;
    if (!ring) return { kind: entry.kind, device: entry.device, fd, at };
    // The adopter maps the same ring again and reads on from here; frames the kernel wrote meanwhile wait for it.
    const position: RingPosition = ring.position;
    this.#unmap(ring);
    return { kind: entry.kind, device: entry.device, fd, at, ring: position };
  }

  #claim(handle: EndpointHandle, custody: Custody): number {
    if (!claim(custody, handle.at, handle.fd)) throw new Error(`Relay descriptor ${handle.fd} was not handed over (already claimed or closed)`);
    return handle.fd;
  }

  #check(result: number, syscall: string, detail: string): number {
    if (result < 0) throw errnoError(this.#libc.errno(), syscall, detail);
    return result;
  }

  #setOption(fd: number, level: number, option: number, value: number, detail: string): void {
    new DataView(this.#scratch.bytes.buffer, this.#scratch.bytes.byteOffset).setInt32(0, value, true);
    this.#check(this.#libc.setsockopt(fd, level, option, this.#scratch.address, 4), 'setsockopt', detail);
  }

  /** Large kernel buffers as the dgram backend asks for (the kernel caps them at net.core.rmem_max/wmem_max). */
  #setBuffers(fd: number): void {
    this.#setOption(fd, SOL_SOCKET, SO_RCVBUF, SOCKET_BUFFER_BYTES, 'SO_RCVBUF');
    this.#setOption(fd, SOL_SOCKET, SO_SNDBUF, SOCKET_BUFFER_BYTES, 'SO_SNDBUF');
  }

  #mtu(fd: number, name: string): number {
    writeIfreq(this.#scratch.bytes, 0, name, 0);
    this.#check(this.#libc.ioctl(fd, SIOCGIFMTU, this.#scratch.address), 'ioctl(SIOCGIFMTU)', `interface "${name}"`);
    return new DataView(this.#scratch.bytes.buffer, this.#scratch.bytes.byteOffset).getInt32(16, true);
  }

  #ifindex(fd: number, name: string): number {
    writeIfreq(this.#scratch.bytes, 0, name, 0);
    this.#check(this.#libc.ioctl(fd, SIOCGIFINDEX, this.#scratch.address), 'ioctl(SIOCGIFINDEX)', `interface "${name}"`);
    return new DataView(this.#scratch.bytes.buffer, this.#scratch.bytes.byteOffset).getInt32(16, true);
  }

  #sockaddr(peer: Peer): Uint8Array {
    let name = this.#sockaddrs.get(peer);
    if (!name) {
      name = encodeInetAddress(peer.address, peer.port, peer.family);
      this.#sockaddrs.set(peer, name);
    }
    return name;
  }

  #watchMessages(fd: number, handlers: EndpointHandlers, device: boolean, interfaceName: string): Receiver {
    const receiver = this.#receiver(fd, handlers);
    receiver.read = () => this.#receiveMessages(receiver, device, interfaceName);
    receiver.unwatch = this.#watch(fd, receiver.read);
    return receiver;
  }

  /** Readiness of `fd` from the event loop, and from the linger's poll() while frames flow. */
  #watch(fd: number, read: () => void): Unwatch {
    const unwatch = this.#libc.watch(fd, () => {
      read();
      this.#linger.after();
    });
    this.#linger.add(fd, read);
    return () => {
      unwatch();
      this.#linger.delete(fd);
    };
  }

  /** Readiness of a UDP socket: up to `rounds` recvmmsg batches, each forwarded then flushed. */
  #receiveMessages(receiver: Receiver, device: boolean, interfaceName: string, rounds = BATCHES_PER_WAKE): void {
    const libc = this.#libc;
    const words = this.#ringWords;
    for (let round = 0; round < rounds && receiver.unwatch; round++) {
      const count = libc.recvmmsg(receiver.fd, this.#ring.address, BATCH, MSG_DONTWAIT);
      if (count < 0) {
        const errno = libc.errno();
        if (errno === EAGAIN) return;
        if (errno === EINTR) continue;
        this.#receiveFailed(receiver, errnoError(errno, 'recvmmsg', interfaceName || 'UDP socket'), device);
        return;
      }
      this.#dispatching = true;
      try {
        for (let i = 0; i < count; i++) {
          const at = i * MMSGHDR_WORDS;
          if ((words[at + MSG_FLAGS]! & MSG_TRUNC) !== 0) receiver.handlers.drop('too_big');
          else receiver.handlers.frame(this.#slots[i]!.subarray(0, words[at + MSG_LEN]!));
        }
      } finally {
        this.#dispatching = false;
        this.flush();
      }
      if (count < BATCH) return;
    }
  }

  /**
   * Readiness of a raw side: up to BATCHES_PER_WAKE batches of frames from its ring, each forwarded, flushed, and its
   * slots given back. A wake-up that finds the ring empty comes from the socket itself: an error (ENETDOWN) or a
   * full-size copy nobody asked for yet, which one recvmmsg round takes (as it did before the ring).
   *
   * The kernel drops a frame only while every slot is full, so a reader that fell that far behind finds full batches
   * when it catches up: a wake-up with a full batch reads the kernel's drop count, even if no frame came after the drops
   * to carry TP_STATUS_LOSING.
   */
  #receiveRing(receiver: Receiver, ring: PacketRing, name: string): void {
    let busy = false;
    for (let round = 0; round < BATCHES_PER_WAKE && receiver.unwatch; round++) {
      let count = 0;
      this.#dispatching = true;
      try {
        for (let at = ring.next(); at >= 0; at = count < BATCH ? ring.next() : -1) this.#ringFrame(receiver, ring, at, count++, name);
      } finally {
        this.#dispatching = false;
        this.flush();
        ring.release();
      }
      if (count === 0 && round === 0) this.#receiveMessages(receiver, true, name, 1);
      if (count < BATCH) break;
      busy = true;
    }
    if (!busy || receiver.closed) return;
    for (let lost = ring.lost(this.#libc, receiver.fd, this.#scratch); lost > 0; lost--) receiver.handlers.drop('receive_ring_full');
  }

  /** Hands on the frame in ring slot `at`, the `index`-th of its batch (which owns receive slot `index` for a copy). */
  #ringFrame(receiver: Receiver, ring: PacketRing, at: number, index: number, name: string): void {
    const frame = ring.frame(at);
    if (frame) this.#rawFrame(receiver, frame, name);
    else if ((ring.status(at) & TP_STATUS_COPY) !== 0) this.#receiveCopy(receiver, index, ring, at, name);
    else receiver.handlers.drop('too_big');
  }

  /** Hands on a frame a raw side received: one length compare, unless it is longer than an untagged frame at the MTU. */
  #rawFrame(receiver: Receiver, frame: Uint8Array, name: string): void {
    if (frame.length <= receiver.mtu + ETHERNET_HEADER_BYTES) receiver.handlers.frame(frame);
    else this.#oversized(receiver, frame, name);
  }

  /**
   * A frame larger than the MTU: GRO merged a TCP stream, or a local veth peer's TCP handed over one TSO segment (up
   * to 64 KiB). An emulator drops such a frame, so a TCP one goes on as segments that fit the MTU (tcp-segment.ts);
   * anything else goes on as it is, as before. The MTU is read again first: it may have been raised since the open.
   */
  #oversized(receiver: Receiver, frame: Uint8Array, name: string): void {
    try {
      receiver.mtu = this.#mtu(receiver.fd, name);
    } catch {
      // The interface is going away; its ENETDOWN comes through the receive path. Keep the MTU known at the open.
    }
    const pieces = splitTcp(frame, receiver.mtu);
    if (!pieces) receiver.handlers.frame(frame);
    else for (const piece of pieces) receiver.handlers.frame(piece);
  }

  /**
   * The full copy of a frame its ring slot `cut` could not hold: the next datagram on the socket (the kernel queued both
   * together), completed from the slot (its VLAN tag).
   */
  #receiveCopy(receiver: Receiver, slot: number, ring: PacketRing, cut: number, name: string): void {
    const words = this.#ringWords;
    const at = slot * MMSGHDR_WORDS;
    const received = this.#libc.recvmmsg(receiver.fd, this.#ring.address + slot * MMSGHDR_BYTES, 1, MSG_DONTWAIT) === 1 && (words[at + MSG_FLAGS]! & MSG_TRUNC) === 0;
    const frame = received ? ring.completeCopy(cut, this.#slots[slot]!, words[at + MSG_LEN]!) : null;
    if (frame) this.#rawFrame(receiver, frame, name);
    else receiver.handlers.drop('too_big');
  }

  /** Readiness of a TAP device: one read() per frame (the tun driver has no batch call), forwarded as one batch. */
  #receiveReads(receiver: Receiver): void {
    const libc = this.#libc;
    const base = this.#ring.address + BATCH * (MMSGHDR_BYTES + IOVEC_BYTES);
    for (let round = 0; round < BATCHES_PER_WAKE && receiver.unwatch; round++) {
      let count = 0;
      let failure: Error | null = null;
      for (; count < BATCH; count++) {
        const length = libc.read(receiver.fd, base + count * SLOT_BYTES, SLOT_BYTES);
        if (length >= 0) {
          this.#ringWords[count * MMSGHDR_WORDS + MSG_LEN] = length;
          continue;
        }
        const errno = libc.errno();
        if (errno === EINTR) {
          count--;
          continue;
        }
        if (errno !== EAGAIN) failure = errnoError(errno, 'read', 'TAP device');
        break;
      }
      this.#dispatching = true;
      try {
        for (let i = 0; i < count; i++) receiver.handlers.frame(this.#slots[i]!.subarray(0, this.#ringWords[i * MMSGHDR_WORDS + MSG_LEN]!));
      } finally {
        this.#dispatching = false;
        this.flush();
      }
      if (failure) {
        // A TAP device that is deleted or loses its queue (EBADFD, EIO) never comes back on this descriptor.
        this.#stop(receiver);
        receiver.handlers.error(failure, true);
        return;
      }
      if (count < BATCH) return;
    }
  }

  #receiveFailed(receiver: Receiver, error: Error & { code: string }, device: boolean): void {
    if (!device) {
      if (!TRANSIENT_UDP.has(error.code)) receiver.handlers.error(error, false);
      return;
    }
    if (error.code !== 'ENETDOWN') {
      this.#stop(receiver);
      receiver.handlers.error(error, true);
      return;
    }
    // AF_PACKET reports ENETDOWN once when its interface goes down, and also when it is being deleted, before the
    // deletion is visible: look again a little later, and stop for good only if the interface is gone.
    this.#stop(receiver);
    setTimeout(receiver.resume, DOWN_RECHECK_MS);
  }

  #recheckInterface(receiver: Receiver, name: string, ifindex: number): void {
    if (receiver.closed) return;
    let now = -1;
    try {
      now = this.#ifindex(receiver.fd, name);
    } catch {
      // No such interface any more.
    }
    if (now !== ifindex) {
      receiver.handlers.error(errnoError(19, 'recvmmsg', `interface "${name}" no longer exists`), true);
      return;
    }
    receiver.handlers.error(errnoError(100, 'recvmmsg', `interface "${name}" went down`), false);
    receiver.unwatch = this.#watch(receiver.fd, receiver.read);
  }

  #stop(receiver: Receiver): void {
    receiver.unwatch?.();
    receiver.unwatch = null;
  }

  async #closeEndpoint(entry: Entry): Promise<void> {
    if (entry.outbox.closed) return;
    this.#end(entry);
    this.#libc.close(entry.receiver.fd);
    if (entry.receiver.ring) this.#unmap(entry.receiver.ring);
  }

  /** Ends an endpoint on this worker, what it queued sent first; its descriptor and ring are the caller's to close or hand over. */
  #end(entry: Entry): void {
    this.flush();
    entry.outbox.close();
    entry.receiver.closed = true;
    this.#stop(entry.receiver);
    this.#open.delete(entry);
  }

  #unmap(ring: PacketRing): void {
    this.#mapped.delete(ring.memory.bytes.buffer);
    ring.unmap(this.#libc);
  }

  /** Queues one frame on an endpoint's outbox; `peer` is the destination sockaddr for UDP, null for a device. */
  #enqueue(outbox: Outbox, frame: Uint8Array, peer: Uint8Array | null): void {
    if (outbox.closed) return;
    let address: number;
    // `buffer` is a call into V8's runtime on every read (≈ 1 % of a worker forwarding raw → UDP): read it once.
    const buffer = frame.buffer;
    const mapped = buffer === this.#ringBuffer ? this.#ring.address : this.#mapped.get(buffer);
    if (mapped !== undefined) {
      address = mapped + frame.byteOffset;
    } else {
      if (frame.length > ARENA_BYTES) {
        outbox.drop('too_big');
        return;
      }
      if (this.#arenaUsed + frame.length > ARENA_BYTES) this.flush();
      address = this.#arena.address + this.#arenaUsed;
      this.#arena.bytes.set(frame, this.#arenaUsed);
      this.#arenaUsed += (frame.length + 7) & ~7;
    }
    if (outbox.pending === 0) this.#dirty.push(outbox);
    if (outbox.push(address, frame.length, peer)) {
      outbox.send();
    } else if (!this.#dispatching && !this.#flushQueued) {
      // Sent from a timer or a control message: go out once the current task is done, still as one batch.
      this.#flushQueued = true;
      queueMicrotask(this.#flushAll);
    }
  }
}
