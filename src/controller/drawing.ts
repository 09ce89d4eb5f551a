/** A drawing on a project's map (free SVG); stored inline in the topology. */
import type { TopologyDrawing } from './topology.ts';

export type DrawingFields = { x: number; y: number; z: number; locked: boolean; rotation: number; svg: string };

export class Drawing {
  readonly drawing_id: string;
  readonly project_id: string;
  fields: DrawingFields;

  constructor(projectId: string, drawingId: string, fields: Partial<DrawingFields>) {
    this.project_id = projectId;
    this.drawing_id = drawingId;
    this.fields = { x: 0, y: 0, z: 2, locked: false, rotation: 0, svg: '<svg></svg>', ...fields };
  }

  /** Applies changes; returns the `drawing.updated` event, which carries `svg` only when it changed (as GNS3). */
  update(changes: Partial<DrawingFields>): Record<string, unknown> {
    const svgChanged = changes.svg !== undefined && changes.svg !== this.fields.svg;
    for (const [key, value] of Object.entries(changes)) if (value !== undefined) (this.fields as Record<string, unknown>)[key] = value;
    const event = this.toJSON();
    if (!svgChanged) delete event.svg;
    return event;
  }

  toJSON(): Record<string, unknown> {
    return { drawing_id: this.drawing_id, project_id: this.project_id, ...this.fields };
  }

  toTopology(): TopologyDrawing {
    return { drawing_id: this.drawing_id, ...this.fields };
  }
}
