/**
 * A node's console in the browser: xterm.js over the controller's console WebSocket (telnet bytes both ways). Loaded
 * on first use (xterm.js is most of the bundle); its stylesheet is part of app.css, imported by main.ts.
 */
import { Terminal } from '@xterm/xterm';
import { TelnetFilter } from './telnet.ts';

export type ConsoleSession = { close(): void; focus(): void };

export function openConsole(container: HTMLElement, url: string, onClosed: (why: string) => void): ConsoleSession {
  const terminal = new Terminal({ cols: 80, rows: 14, fontSize: 13, convertEol: false, screenReaderMode: true, cursorBlink: true });
  terminal.open(container);
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const telnet = new TelnetFilter();
  const encoder = new TextEncoder();
  const send = (bytes: Uint8Array) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(bytes);
  };
  socket.onmessage = (event) => {
    const bytes = typeof event.data === 'string' ? encoder.encode(event.data) : new Uint8Array(event.data as ArrayBuffer);
    terminal.write(telnet.push(bytes, send));
  };
  socket.onclose = () => onClosed('console connection closed');
  const input = terminal.onData((data) => send(encoder.encode(data)));
  return {
    close() {
      socket.onclose = null;
      socket.close();
      input.dispose();
      terminal.dispose();
    },
    focus: () => terminal.focus(),
  };
}
