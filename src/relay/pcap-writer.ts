/** Capture tap: batches pcap records in memory and writes them out at least every FLUSH_MS, so readers can tail the file. */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { LINKTYPE_ETHERNET, PCAP_RECORD_HEADER_BYTES, PCAP_SNAPLEN, pcapGlobalHeader, writePcapRecord } from './pcap-format.ts';

/** The API's `…/pcap` stream polls every 100 ms; flushing twice as often keeps it current. */
export const FLUSH_MS = 50;
const BATCH_BYTES = 1024 * 1024;

export class PcapWriter {
  readonly file: string;
  #fd: number;
  #batch = new Uint8Array(BATCH_BYTES);
  #used = 0;
  #timer: ReturnType<typeof setInterval>;
  /** Lets the event loop go again (see RelayIo.holdLoop): the flush timer no longer needs it. */
  #letLoopGo: () => void;
  #onError: (error: Error) => void;

  /**
   * Opens `file` and writes the global header. With `append` (a bridge re-created after a worker crash) an existing
   * non-empty file is continued instead, so the capture survives the restart. `holdLoop` is the worker I/O's (the
   * flush timer must run on time while the capture is open); `linkType` is the pcap DLT.
   */
  constructor(file: string, append: boolean, onError: (error: Error) => void, holdLoop: () => () => void, linkType = LINKTYPE_ETHERNET) {
    this.file = file;
    this.#onError = onError;
    this.#fd = openSync(file, append ? 'a' : 'w');
    if (!append || fstatSync(this.#fd).size === 0) writeSync(this.#fd, pcapGlobalHeader(linkType));
    this.#timer = setInterval(() => this.flush(), FLUSH_MS);
    this.#letLoopGo = holdLoop();
  }

  /** Records one frame; `epochMicros` is the wall-clock time in microseconds. */
  write(frame: Uint8Array, epochMicros: number): void {
    if (this.#used + PCAP_RECORD_HEADER_BYTES + Math.min(frame.length, PCAP_SNAPLEN) > BATCH_BYTES) this.flush();
    this.#used = writePcapRecord(this.#batch, this.#used, frame, epochMicros);
  }

  flush(): void {
    if (this.#used === 0 || this.#fd < 0) return;
    try {
      writeSync(this.#fd, this.#batch, 0, this.#used);
    } catch (error) {
      this.#onError(error as Error);
    }
    this.#used = 0;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#letLoopGo();
    this.flush();
    closeSync(this.#fd);
    this.#fd = -1;
  }
}
