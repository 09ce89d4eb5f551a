/**
 * The receive ring of a raw (AF_PACKET) bridge side: PACKET_RX_RING with TPACKET_V2 frames, mapped into the worker.
 * The kernel writes each frame the interface sees straight into a slot of memory shared with the worker and flips the
 * slot's status word; the worker reads the frame there and gives the slot back once the frame has been sent on. So a
 * received frame costs no system call and no copy-out (recvmmsg's copy and skb free were ≈ 15 % of a worker's CPU
 * forwarding raw → UDP), and it leaves through `sendmmsg` straight from the slot.
 *
 * What recvmmsg told the relay, the ring tells too: a frame larger than its slot arrives truncated, with a full copy
 * queued on the socket (PACKET_COPY_THRESH, TP_STATUS_COPY) while the receive buffer has room, which the reader then
 * takes with recvmmsg; without a copy it is a drop. Frames the kernel could not place because the ring was full are
 * counted by the kernel (PACKET_STATISTICS), which the reader turns into drops.
 *
 * What the kernel keeps beside a frame instead of in it is put back before the frame is handed on: an 802.1Q/802.1ad
 * tag taken out into the packet's metadata (the slot header's tp_vlan_tci) goes back after the MAC addresses, in the
 * slot's own headroom, so a tagged frame still leaves from its slot without a copy; and a frame whose TCP/UDP checksum
 * was left to the hardware (sent by a local veth peer: a namespace, a container) gets it computed, in its slot. Only
 * frames whose status says so pay for either.
 */
import { errnoError, SOL_PACKET } from './libc.ts';
import type { Libc, NativeMemory } from './libc.ts';
import { completeChecksum } from './l4-checksum.ts';
import { tagInHeadroom, tagInPlace, TPID_DOT1Q } from '../../switching/vlan.ts';

/** SOL_PACKET options (linux/if_packet.h), and the value of PACKET_VERSION that selects struct tpacket2_hdr. */
const OPTION = { rxRing: 5, statistics: 6, copyThreshold: 7, version: 10 } as const;
const TPACKET_V2 = 1;

/** tp_status bits of struct tpacket2_hdr: the slot is the kernel's, the worker's, or holds a cut frame with a full copy. */
const [TP_STATUS_KERNEL, TP_STATUS_USER] = [0, 1];
export const TP_STATUS_COPY = 2;
/** tp_status bits saying the frame's outer VLAN tag is in tp_vlan_tci, and its TPID in tp_vlan_tpid. */
const [TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID] = [0x10, 0x40];
/** tp_status bit of a frame whose TCP/UDP checksum its sender left to the hardware (CHECKSUM_PARTIAL). */
const TP_STATUS_CSUMNOTREADY = 0x8;
/** The bits of frames that need completing before they are handed on. */
const INCOMPLETE = TP_STATUS_VLAN_VALID | TP_STATUS_CSUMNOTREADY;

/**
 * struct tpacket2_hdr: u32 tp_status, tp_len, tp_snaplen, u16 tp_mac (the frame's offset in its slot), u16 tp_net,
 * u32 tp_sec, tp_nsec, u16 tp_vlan_tci, tp_vlan_tpid; word indexes of the two lengths and of the VLAN fields (read as
 * one little-endian word, as the whole header is read in host order), byte offset of tp_mac.
 */
const HEADER = { lengthWord: 1, snapLengthWord: 2, macByte: 12, vlanWord: 6 } as const;

/**
 * Where the kernel puts the network header in a slot: the 32-byte header and the 20-byte sockaddr_ll, then room for a
 * link header of up to 28 bytes (Ethernet with two VLAN tags), rounded to 16 (TPACKET_ALIGN). A frame needs this many
 * bytes of its slot besides its network-layer bytes (at most the MTU).
 */
const NETWORK_OFFSET = 80;
/*
 * The frame starts at tp_mac = the network offset less the link header's length, which is never before the end of the
 * header and the sockaddr_ll (52 bytes): the kernel reserves at least 16 bytes for a link header and rounds up. An
 * untagged Ethernet frame starts at 66, so the 4 bytes a tag needs lie before it in the slot (at worst over the end of
 * the sockaddr_ll, which nothing here reads).
 */
const PAGE_BYTES = 4096;
/**
 * The ring's size: what the 8 MiB receive buffer the socket had before held (≈ 4 000 full-size frames, 10–20 ms at
 * the rates one worker forwards), so a scheduling gap costs no more frames than it did.
 */
const RING_BYTES = 8 * 1024 * 1024;

/** The TPID of the tag a slot's status and VLAN word describe: 802.1Q unless the kernel says otherwise. */
function tpid(status: number, vlan: number): number {
  return (status & TP_STATUS_VLAN_TPID_VALID) !== 0 ? vlan >>> 16 : TPID_DOT1Q;
}

/** The ring's shape: `frames` slots of `frameSize` bytes, allocated by the kernel in blocks of `blockSize`. */
export type RingGeometry = { frameSize: number; blockSize: number; frames: number };
/** A ring and the next slot to read: what a worker adopting the socket needs to map it and carry on. */
export type RingPosition = RingGeometry & { head: number };

/**
 * Slots that hold a frame of the interface's MTU, a power of two so they tile the kernel's page-sized blocks and slot
 * i starts at i × frameSize in the mapping. A larger frame (the MTU raised later, GRO's merged frames) takes the copy.
 */
export function ringGeometry(mtu: number): RingGeometry {
  let frameSize = 2048;
  while (frameSize < NETWORK_OFFSET + mtu) frameSize *= 2;
  const blockSize = Math.max(frameSize, PAGE_BYTES);
  return { frameSize, blockSize, frames: Math.max(RING_BYTES, blockSize) / frameSize };
}

export class PacketRing {
  readonly #memory: NativeMemory;
  readonly #words: Uint32Array;
  readonly #geometry: RingGeometry;
  readonly #frameSize: number;
  readonly #frames: number;
  /** The next slot to look at, and how many slots before it are read but not yet given back. */
  #head: number;
  #taken = 0;
  /** Cleared by `unmap`: a frame handler may close the endpoint in the middle of a batch, and the memory is gone then. */
  #mapped = true;

  private constructor(memory: NativeMemory, geometry: RingGeometry, head: number) {
    this.#memory = memory;
    this.#words = new Uint32Array(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength >>> 2);
    this.#geometry = geometry;
    this.#frameSize = geometry.frameSize;
    this.#frames = geometry.frames;
    this.#head = head;
  }

  /**
   * Gives the unbound socket `fd` a ring for frames of `mtu` and maps it; `scratch` is memory for the arguments.
   * Throws the errno error; the caller closes `fd` then, which frees the kernel's ring.
   */
  static create(libc: Libc, fd: number, mtu: number, scratch: NativeMemory, detail: string): PacketRing {
    const geometry = ringGeometry(mtu);
    const words = new Uint32Array(scratch.bytes.buffer, scratch.bytes.byteOffset, 4);
    const set = (option: number, bytes: number, name: string) => {
      if (libc.setsockopt(fd, SOL_PACKET, option, scratch.address, bytes) < 0) throw errnoError(libc.errno(), `setsockopt(${name})`, detail);
    };
    words[0] = TPACKET_V2;
    set(OPTION.version, 4, 'PACKET_VERSION');
    // Any non-zero threshold asks for the full copy of a frame that does not fit its slot.
    words[0] = 1;
    set(OPTION.copyThreshold, 4, 'PACKET_COPY_THRESH');
    // struct tpacket_req: block size, block count, frame size, frame count.
    words[0] = geometry.blockSize;
    words[1] = (geometry.frames * geometry.frameSize) / geometry.blockSize;
    words[2] = geometry.frameSize;
    words[3] = geometry.frames;
    set(OPTION.rxRing, 16, 'PACKET_RX_RING');
    return PacketRing.adopt(libc, fd, { ...geometry, head: 0 }, detail);
  }

  /** Maps the ring `fd` already has (set up by `create`, possibly in another worker) and reads on from `position`. */
  static adopt(libc: Libc, fd: number, position: RingPosition, detail: string): PacketRing {
    const { head, ...geometry } = position;
    const memory = libc.mmap(fd, geometry.frames * geometry.frameSize);
    if (!memory) throw errnoError(libc.errno(), 'mmap', detail);
    return new PacketRing(memory, geometry, head);
  }

  /** The ring's memory as the worker sees it: frames handed on are views into `bytes`, sent from `address`. */
  get memory(): NativeMemory {
    return this.#memory;
  }

  /** Where the next read starts; valid between batches (every slot taken has been given back). */
  get position(): RingPosition {
    return { ...this.#geometry, head: this.#head };
  }

  /**
   * Takes the next slot if the kernel has filled it: returns its byte offset and status, or -1 when the ring is empty.
   * The status is read with an acquire load: the kernel writes the frame, then (after a write barrier) the status.
   */
  next(): number {
    const at = this.#head * this.#frameSize;
    if (!this.#mapped || (Atomics.load(this.#words, at >>> 2) & TP_STATUS_USER) === 0) return -1;
    this.#head = this.#head + 1 === this.#frames ? 0 : this.#head + 1;
    this.#taken++;
    return at;
  }

  status(at: number): number {
    return this.#words[at >>> 2]!;
  }

  /**
   * The frame in slot `at` as it was on the wire (its tag put back and its checksum completed in the slot), or null
   * when the kernel cut it to fit the slot (see TP_STATUS_COPY).
   */
  frame(at: number): Uint8Array | null {
    const words = this.#words;
    const word = at >>> 2;
    const length = words[word + HEADER.snapLengthWord]!;
    if (length !== words[word + HEADER.lengthWord]) return null;
    const bytes = this.#memory.bytes;
    const start = at + (bytes[at + HEADER.macByte]! | (bytes[at + HEADER.macByte + 1]! << 8));
    const status = words[word]!;
    if ((status & INCOMPLETE) === 0) return bytes.subarray(start, start + length);
    let tagged = start;
    if ((status & TP_STATUS_VLAN_VALID) !== 0) {
      const vlan = words[word + HEADER.vlanWord]!;
      tagged = tagInHeadroom(bytes, start, tpid(status, vlan), vlan & 0xffff);
    }
    const frame = bytes.subarray(tagged, start + length);
    if ((status & TP_STATUS_CSUMNOTREADY) !== 0) completeChecksum(frame);
    return frame;
  }

  /**
   * Completes the full copy of the cut frame in slot `at`, received into `copy` (`length` bytes), with what the slot
   * says the kernel kept beside it: returns the frame, or null when `copy` has no room for its tag.
   */
  completeCopy(at: number, copy: Uint8Array, length: number): Uint8Array | null {
    const word = at >>> 2;
    const status = this.#words[word]!;
    if ((status & TP_STATUS_VLAN_VALID) !== 0) {
      const vlan = this.#words[word + HEADER.vlanWord]!;
      length = tagInPlace(copy, length, tpid(status, vlan), vlan & 0xffff);
      if (length < 0) return null;
    }
    const frame = copy.subarray(0, length);
    if ((status & TP_STATUS_CSUMNOTREADY) !== 0) completeChecksum(frame);
    return frame;
  }

  /** Gives every slot taken since the last call back to the kernel (their frames have been sent or copied). */
  release(): void {
    if (!this.#mapped) return;
    let slot = this.#head;
    for (; this.#taken > 0; this.#taken--) {
      slot = slot === 0 ? this.#frames - 1 : slot - 1;
      Atomics.store(this.#words, (slot * this.#frameSize) >>> 2, TP_STATUS_KERNEL);
    }
  }

  /** Frames the kernel dropped for want of a free slot since the last call (reading the count resets it). */
  lost(libc: Libc, fd: number, scratch: NativeMemory): number {
    const words = new Uint32Array(scratch.bytes.buffer, scratch.bytes.byteOffset, 4);
    // struct tpacket_stats { tp_packets, tp_drops } at 0, its length (socklen_t) at 8.
    words[2] = 8;
    return libc.getsockopt(fd, SOL_PACKET, OPTION.statistics, scratch.address, scratch.address + 8) < 0 ? 0 : words[1]!;
  }

  unmap(libc: Libc): void {
    this.#mapped = false;
    libc.munmap(this.#memory);
  }
}
