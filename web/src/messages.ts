/** User-facing messages: API errors (GNS3's `message` text) and confirmations, in an ARIA live region. */
import { h, type Child } from './dom.ts';

const box = () => document.getElementById('messages')!;

export function showMessage(text: string, kind: 'error' | 'info' = 'info'): void {
  const item = h('div', { class: `message ${kind}` }, text, h('button', { class: 'close', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
  box().append(item);
  if (kind === 'info') setTimeout(() => item.remove(), 4000);
}

/** Runs a user action; a failure is shown to the user rather than lost in the console. */
export async function attempt(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (err) {
    showMessage((err as Error).message, 'error');
  }
}

/** A form whose submit runs `action` as a user action, without reloading the page. */
export function actionForm(attributes: Record<string, unknown>, action: () => Promise<unknown>, ...children: Child[]): HTMLFormElement {
  const submit = (event: Event) => {
    event.preventDefault();
    void attempt(action);
  };
  return h('form', { ...attributes, onsubmit: submit }, ...children);
}
