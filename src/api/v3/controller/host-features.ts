/**
 * `/v3` routes for features a patchbay host does not have, answered as gns3-server 3.0 answers when they are
 * unavailable or unused: the GNS3 VM (settings kept, no engine runs one), the IOU licence (kept, no IOU runs), and the
 * appliance catalogue (empty: every appliance id is unknown).
 */
import { Hono } from 'hono';
import type { Access } from '../../../access/index.ts';
import type { Controller } from '../../../controller/controller.ts';
import { GNS3VM_ENGINES, changedGns3Vm } from '../../../controller/gns3vm.ts';
import { Gns3Vm } from '../../../controller/schemas.ts';
import { fail } from '../../../errors/index.ts';
import { guard, type V3Env } from '../auth.ts';
import { v3ErrorHandler } from '../errors.ts';
import { ApplianceVersion, IouLicense } from '../schemas.ts';
import { uuidParam, v3Body } from '../validate.ts';

export function hostFeatureRoutes(controller: Controller, access: Access): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const can = (privilege: string) => guard(access, privilege);

  app.get('/iou_license', (c) => c.json(controller.iouLicense));
  app.put('/iou_license', async (c) => {
    controller.iouLicense = await v3Body(c, IouLicense);
    await controller.saveConfig();
    return c.json(controller.iouLicense, 201);
  });

  app.get('/gns3vm', (c) => c.json(controller.gns3vm));
  app.put('/gns3vm', async (c) => {
    const input = await v3Body(c, Gns3Vm);
    controller.gns3vm = changedGns3Vm(controller.gns3vm, input);
    await controller.saveConfig();
    // 3.0 answers with the keys the client sent only (`response_model_exclude_unset`).
    const sent = Object.keys(input).filter((key) => input[key as keyof typeof input] !== undefined);
    return c.json(Object.fromEntries(sent.map((key) => [key, controller.gns3vm[key as keyof typeof controller.gns3vm]])));
  });
  app.get('/gns3vm/engines', (c) => c.json(GNS3VM_ENGINES));
  // With the GNS3 VM disabled, 3.0 swallows an engine's listing error and answers an empty list.
  app.get('/gns3vm/engines/:engine/vms', (c) => c.json([]));

  app.get('/appliances', can('Appliance.Audit'), (c) => c.json([]));
  app.get('/appliances/:appliance_id', can('Appliance.Audit'), (c) => {
    throw fail('APPLIANCE_NOT_FOUND', uuidParam(c, 'appliance_id'));
  });
  app.post('/appliances/:appliance_id/version', can('Appliance.Allocate'), async (c) => {
    const id = uuidParam(c, 'appliance_id');
    await v3Body(c, ApplianceVersion);
    throw fail('APPLIANCE_NOT_FOUND', id);
  });
  app.post('/appliances/:appliance_id/install', can('Appliance.Allocate'), (c) => {
    throw fail('APPLIANCE_NOT_FOUND', uuidParam(c, 'appliance_id'));
  });
  return app;
}

