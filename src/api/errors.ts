/** One error type carrying a GNS3 status code; the API layer turns it into `{"status", "message"}`. */

export type ErrorExtras = { exception?: string; image?: string };

export class HttpError extends Error {
  readonly status: number;
  readonly extras: ErrorExtras;

  constructor(status: number, message: string, extras: ErrorExtras = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.extras = extras;
  }

  toJSON(): Record<string, unknown> {
    return { status: this.status, message: this.message, ...this.extras };
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const notFound = (message: string) => new HttpError(404, message);
export const conflict = (message: string, exception?: string) =>
  new HttpError(409, message, exception ? { exception } : {});
