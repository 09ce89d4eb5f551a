/** Snapshots of a project: `snapshots/<name>_<ddmmyy>_<HHMMSS>.gns3project` archives, as GNS3 2.2.41 names them. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControllerProject } from './project.ts';

export type SnapshotInfo = { snapshot_id: string; project_id: string; name: string; created_at: number; file: string };

const FILE = /^(.+)_(\d{2})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\.gns3project$/;

/** Parses a snapshot file name back into name and UTC creation time. */
export function parseSnapshotFile(file: string): { name: string; created_at: number } | undefined {
  const m = FILE.exec(file);
  if (!m) return undefined;
  const [, name, dd, mm, yy, hh, mi, ss] = m;
  return { name, created_at: Date.UTC(2000 + Number(yy), Number(mm) - 1, Number(dd), Number(hh), Number(mi), Number(ss)) / 1000 };
}

export function snapshotFileName(name: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${name}_${p(at.getUTCDate())}${p(at.getUTCMonth() + 1)}${p(at.getUTCFullYear() % 100)}_${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}.gns3project`;
}

export async function snapshotFiles(project: ControllerProject): Promise<string[]> {
  return (await readdir(join(project.path, 'snapshots')).catch(() => [] as string[])).filter((f) => FILE.test(f));
}
