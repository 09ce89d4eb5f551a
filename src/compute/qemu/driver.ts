/** The `qemu` node type: schemas, the image store and the node factory (QEMU's node code loads with the first node). */
import { QemuCreate, QemuUpdate } from './schemas.ts';
import type { NodeDriver } from '../drivers.ts';
import type { BaseNode, NodeInit } from '../node.ts';
import { ImageStore } from './images.ts';
import { IdPool } from '../id-pool.ts';
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
  // One CID space for the whole host, not per project.
  const cids = new IdPool({ first: FIRST_GUEST_CID });
  return {
    type: 'qemu',
    createSchema: QemuCreate,
    updateSchema: QemuUpdate,
    images,
    create: (init: NodeInit, fields: Record<string, unknown>) =>
      cids.lend('', async (guestCid) => {
        const { QemuNode } = await import('./qemu-node.ts');
        return QemuNode.create({ ...init, images, guestCid }, fields as QemuCreate);
      }),
    forget(node: BaseNode) {
      cids.release('', (node as QemuNode).guestCid);
    },
  };
}
