/** Projects: list, create, open, close, duplicate, export, import, delete. */
import { api, type Json } from '../api.ts';
import { field, h } from '../dom.ts';
import { actionForm, attempt, showMessage } from '../messages.ts';

export async function projectsView(view: HTMLElement): Promise<void> {
  const list = h('tbody');
  const refresh = async () => {
    const projects = (await api.get<Json[]>('/projects')).sort((a, b) => a.name.localeCompare(b.name));
    list.replaceChildren(...projects.map((project) => row(project, refresh)));
    if (projects.length === 0) list.append(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'No project yet.')));
  };

  const name = h('input', { name: 'name', required: true, autocomplete: 'off', placeholder: 'lab-1' });
  const create = actionForm({ class: 'inline', 'aria-label': 'New project' }, async () => {
    const project = await api.post('/projects', { name: name.value.trim() });
    location.hash = `#/project/${project.project_id}`;
  }, field('Project name', name), h('button', { type: 'submit' }, 'Create project'));

  const file = h('input', { type: 'file', accept: '.gns3project,.gns3p,.zip', required: true });
  const importName = h('input', { name: 'import-name', autocomplete: 'off' });
  const importForm = actionForm({ class: 'inline', 'aria-label': 'Import a project' }, async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    const projectName = importName.value.trim() || chosen.name.replace(/\.[^.]+$/, '');
    const project = await api.request('POST', `/projects/${crypto.randomUUID()}/import?name=${encodeURIComponent(projectName)}`, undefined, chosen);
    showMessage(`Imported ${project.name}`);
    await refresh();
  }, field('Archive', file), field('Name', importName), h('button', { type: 'submit' }, 'Import'));

  view.replaceChildren(
    h('h1', {}, 'Projects'),
    create,
    h('table', { class: 'list', 'aria-label': 'Projects' }, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Status'), h('th', {}, 'Actions'))), list),
    h('details', {}, h('summary', {}, 'Import a project archive'), importForm),
  );
  await refresh();
}

function row(project: Json, refresh: () => Promise<void>): HTMLTableRowElement {
  const id = project.project_id;
  const act = (label: string, action: () => Promise<unknown>) =>
    h('button', { type: 'button', 'aria-label': `${label} ${project.name}`, onclick: () => attempt(async () => {
      await action();
      await refresh();
    }) }, label);
  return h('tr', { 'data-project-id': id },
    h('td', {}, h('a', { href: `#/project/${id}` }, project.name)),
    h('td', {}, project.status),
    h('td', { class: 'actions' },
      h('a', { class: 'button', href: `#/project/${id}`, 'aria-label': `Open ${project.name}` }, 'Open'),
      project.status === 'opened' ? act('Close', () => api.post(`/projects/${id}/close`)) : null,
      act('Duplicate', () => api.post(`/projects/${id}/duplicate`, { name: `${project.name}-copy` })),
      h('a', { class: 'button', href: api.url(`/projects/${id}/export`), download: `${project.name}.gns3project`, 'aria-label': `Export ${project.name}` }, 'Export'),
      act('Delete', async () => {
        if (confirm(`Delete project ${project.name} and all its files?`)) await api.delete(`/projects/${id}`);
      }),
    ),
  );
}
