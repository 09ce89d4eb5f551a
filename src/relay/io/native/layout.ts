/**
 * Byte layout of the C structures the native backend fills (LP64 Linux: x86-64 and arm64), and helpers writing them
 * through 32-bit views (no I/O, no allocation on the hot path).
 *
 *   struct iovec   { void *base; size_t len; }                                          16 bytes
 *   struct msghdr  { void *name; socklen_t namelen; struct iovec *iov; size_t iovlen;
 *                    void *control; size_t controllen; int flags; }                    56 bytes
 *   struct mmsghdr { struct msghdr hdr; unsigned int len; }                              64 bytes
 *   struct cmsghdr { size_t len; int level; int type; } then the data, padded to 8 bytes
 *   struct pollfd  { int fd; short events; short revents; }                              8 bytes
 */

export const IOVEC_BYTES = 16;
export const MMSGHDR_BYTES = 64;
/** Room for any sockaddr the relay sends to (sockaddr_in6 is 28 bytes). */
export const NAME_BYTES = 32;
/** One control message carrying a 16-bit value: CMSG_SPACE(2) (a 16-byte cmsghdr, the value, padding to 8). */
export const CMSG_BYTES = 24;

/** Offsets in 32-bit words inside one mmsghdr. */
export const MSG_NAME = 0;
export const MSG_NAMELEN = 2;
export const MSG_IOV = 4;
export const MSG_IOVLEN = 6;
export const MSG_CONTROL = 8;
export const MSG_CONTROLLEN = 10;
export const MSG_FLAGS = 12;
export const MSG_LEN = 14;
export const MMSGHDR_WORDS = MMSGHDR_BYTES / 4;

const TWO_32 = 2 ** 32;

/** Writes a 64-bit pointer or size as two little-endian 32-bit words at word index `at`. */
export function putWord64(words: Uint32Array, at: number, value: number): void {
  words[at] = value % TWO_32;
  words[at + 1] = Math.floor(value / TWO_32);
}

/** Fills `count` mmsghdr entries at byte `vectorOffset` of `memory`, entry i pointing at iovec i (at `iovOffset`). */
export function initVector(memory: { bytes: Uint8Array; address: number }, count: number, vectorOffset: number, iovOffset: number): Uint32Array {
  const words = new Uint32Array(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength >>> 2);
  for (let i = 0; i < count; i++) {
    const at = (vectorOffset >>> 2) + i * MMSGHDR_WORDS;
    words.fill(0, at, at + MMSGHDR_WORDS);
    putWord64(words, at + MSG_IOV, memory.address + iovOffset + i * IOVEC_BYTES);
    putWord64(words, at + MSG_IOVLEN, 1);
  }
  return words;
}

/** struct ifreq: 16-byte name, then a union whose first member is a short (flags) or an int (ifindex). */
export const IFREQ_BYTES = 40;

/** Writes `name` (validated ASCII, ≤ 15 bytes) NUL-padded at `offset`, then `flags` as a 16-bit value. */
export function writeIfreq(target: Uint8Array, offset: number, name: string, flags: number): void {
  target.fill(0, offset, offset + IFREQ_BYTES);
  for (let i = 0; i < name.length; i++) target[offset + i] = name.charCodeAt(i);
  target[offset + 16] = flags & 0xff;
  target[offset + 17] = (flags >>> 8) & 0xff;
}

/** Reads the NUL-terminated name of an ifreq (the kernel writes back the name it chose). */
export function readIfreqName(source: Uint8Array, offset: number): string {
  let end = offset;
  while (end < offset + 16 && source[end] !== 0) end++;
  return String.fromCharCode(...source.subarray(offset, end));
}

const POLLFD_BYTES = 8;
const POLLIN = 1;

/** Bytes of a pollfd array for `count` descriptors. */
export const pollSetBytes = (count: number) => count * POLLFD_BYTES;

/** Writes one pollfd per descriptor into `set`, asking for POLLIN. */
export function writePollSet(set: { bytes: Uint8Array }, fds: readonly number[]): void {
  const view = new DataView(set.bytes.buffer, set.bytes.byteOffset);
  fds.forEach((fd, i) => {
    view.setInt32(i * POLLFD_BYTES, fd, true);
    view.setInt16(i * POLLFD_BYTES + 4, POLLIN, true);
    view.setInt16(i * POLLFD_BYTES + 6, 0, true);
  });
}

/** `revents` of entry `i` of a pollfd array (viewed from its start). */
export const pollReturned = (view: DataView, i: number) => view.getInt16(i * POLLFD_BYTES + 6, true);
