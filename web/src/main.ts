/** patchbay's web UI: a hash router over three views (projects, computes, one project). */
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { api } from './api.ts';
import { showMessage } from './messages.ts';
import { computesView } from './views/computes.ts';
import { projectView } from './views/project.ts';
import { projectsView } from './views/projects.ts';

const view = document.getElementById('view')!;
let leave: (() => void) | void;

async function route(): Promise<void> {
  leave?.();
  leave = undefined;
  const hash = location.hash || '#/';
  const project = /^#\/project\/([0-9a-f-]{36})$/i.exec(hash);
  try {
    if (project) leave = await projectView(view, project[1]);
    else if (hash === '#/computes') leave = await computesView(view);
    else await projectsView(view);
  } catch (err) {
    showMessage((err as Error).message, 'error');
  }
}

window.addEventListener('hashchange', () => void route());
window.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  showMessage(String((event.reason as Error)?.message ?? event.reason), 'error');
});
api.get('/version').then(
  (version) => (document.getElementById('server-version')!.textContent = `GNS3 API ${version.version}`),
  (err: Error) => showMessage(err.message, 'error'),
);
void route();
