/** The disk filling up while the controller saves a project: a clear error, the previous .gns3 intact, then recovery. */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post, put, VPCS_083, withDaemon } from '../helpers/daemon.ts';
import { deleteEverything } from '../helpers/leftovers.ts';

t.setTimeout(120_000);

/** A tiny tmpfs when this machine lets us mount one (CI runs as root), else null. */
function tinyDisk(): { dir: string; release: () => void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    release: () => {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

t.test('disk full while the controller saves: clear error, previous .gns3 intact, recovers', async (t) => {
  const disk = tinyDisk();
  if (!disk) {
    t.pass('skipped: cannot mount a tmpfs here (needs root)');
    return;
  }
  t.teardown(disk.release);
  mkdirSync(join(disk.dir, 'projects'));
  const daemon = await withDaemon(t, { mode: 'controller', root: disk.dir, args: ['--vpcs-path', VPCS_083] });
  const project = await daemon.json('/v2/projects', { ...post({ name: 'full' }), expect: 201 });
  const file = join(project.path, project.filename);
  await daemon.json(`/v2/projects/${project.project_id}/drawings`, { ...post({ svg: '<svg>before</svg>' }), expect: 201 });
  const before = readFileSync(file, 'utf8');
  t.match(JSON.parse(before).topology.drawings, [{ svg: '<svg>before</svg>' }], 'saved before the disk fills');

  // Fill the disk to the last byte.
  const filler = join(disk.dir, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(4 * 1024 * 1024));
  } catch {
    // ENOSPC is the point
  }
  const big = `<svg>${'x'.repeat(200_000)}</svg>`;
  const failed = await daemon.api(`/v2/projects/${project.project_id}/drawings`, post({ svg: big }));
  const text = await failed.text();
  t.ok(failed.status >= 400 && failed.status < 500, `a change that cannot be saved fails with a 4xx (${failed.status} ${text.slice(0, 200)})`);
  t.match(text, /space|ENOSPC|disk|write|save/i, 'and says why');
  t.equal(readFileSync(file, 'utf8'), before, 'the previous .gns3 is untouched');
  t.ok(JSON.parse(readFileSync(file, 'utf8')), 'and still parses');

  rmSync(filler, { force: true });

  await daemon.json(`/v2/projects/${project.project_id}/close`, { ...post(), expect: 204 });
  const reopened = await daemon.json(`/v2/projects/${project.project_id}/open`, { ...post(), expect: 201 });
  t.equal(reopened.status, 'opened', 'the project opens again from the saved file');
  const drawings = await daemon.json(`/v2/projects/${project.project_id}/drawings`, { expect: 200 });
  t.ok(drawings.some((d: any) => d.svg === '<svg>before</svg>'), 'the saved drawing is there');
  await daemon.json(`/v2/projects/${project.project_id}`, { ...put({ name: 'full-2' }), expect: 200 });
  t.pass('saving works again once space is back');
  await deleteEverything(daemon, true);
});
