/** User-facing messages: API errors (GNS3's `message` text) and confirmations, in an ARIA live region. */
import { h } from './dom.ts';

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
