/** A compute project: a directory plus the nodes living in it. */
import { join } from 'node:path';
import type { BaseNode } from './node.ts';

export type ProjectVariables = Array<{ name: string; value?: string }> | null;

export class Project {
  readonly id: string;
  readonly path: string;
  name: string | null;
  variables: ProjectVariables;
  readonly nodes = new Set<BaseNode>();

  constructor(id: string, name: string | null, path: string, variables: ProjectVariables) {
    this.id = id;
    this.name = name;
    this.path = path;
    this.variables = variables;
  }

  get filesDir(): string {
    return join(this.path, 'project-files');
  }

  get capturesDir(): string {
    return join(this.filesDir, 'captures');
  }

  get tmpDir(): string {
    return join(this.path, 'tmp');
  }

  toJSON() {
    return { name: this.name, project_id: this.id, variables: this.variables };
  }
}
