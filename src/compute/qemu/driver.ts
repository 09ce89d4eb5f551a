/** The `qemu` node type: schemas, the image store and the node factory (QEMU's node code loads with the first node). */
import { QemuCreate, QemuUpdate } from './schemas.ts';
import type { NodeDriver } from '../drivers.ts';
import type { BaseNode, NodeInit } from '../node.ts';
import { ImageStore } from './images.ts';
import type { QemuNode } from './qemu-node.ts';

export type QemuDriverOptions = { imagesDir: string };

/** A driver that keeps images on the agent; the image routes serve `/<type>/images` for it. */
export interface ImageDriver extends NodeDriver {
  readonly images: ImageStore;
}

export const hasImages = (driver: NodeDriver): driver is ImageDriver => 'images' in driver && driver.images instanceof ImageStore;

/** Guest CIDs (vsock addresses, `%guest-cid%`) start at 3: 0-2 are reserved by the vsock protocol. */
const FIRST_GUEST_CID = 3;

export function qemuDriver({ imagesDir }: QemuDriverOptions): ImageDriver {
  const images = new ImageStore(imagesDir);
  const cids = new Set<number>();
  const takeCid = () => {
    let cid = FIRST_GUEST_CID;
    while (cids.has(cid)) cid++;
    cids.add(cid);
    return cid;
  };
  return {
    type: 'qemu',
    createSchema: QemuCreate,
    updateSchema: QemuUpdate,
    images,
    async create(init: NodeInit, fields: Record<string, unknown>) {
      const guestCid = takeCid();
      try {
        const { QemuNode } = await import('./qemu-node.ts');
        return await QemuNode.create({ ...init, images, guestCid }, fields as QemuCreate);
      } catch (err) {
        cids.delete(guestCid);
        throw err;
      }
    },
    forget(node: BaseNode) {
      cids.delete((node as QemuNode).guestCid);
    },
  };
}
