/**
 * Typed failures of relay endpoints that the API answers with a 4xx instead of a 500. They cross the worker boundary
 * as `{code, capability}` in the reply and are rebuilt by the pool (see `relayErrorFromReply`).
 */

export type RelayErrorCode =
  /** The agent lacks a Linux capability the endpoint needs (409 naming it). */
  | 'RELAY_CAPABILITY_MISSING'
  /** An interface name that Linux would refuse (400). */
  | 'RELAY_INTERFACE_INVALID'
  /** No such host interface (409). */
  | 'RELAY_INTERFACE_MISSING'
  /** The relay runs the dgram backend, which cannot open raw or TAP endpoints (409). */
  | 'RELAY_BACKEND_UNSUPPORTED';

export const RELAY_ERROR_STATUS: Record<RelayErrorCode, 400 | 409> = {
  RELAY_CAPABILITY_MISSING: 409,
  RELAY_INTERFACE_INVALID: 400,
  RELAY_INTERFACE_MISSING: 409,
  RELAY_BACKEND_UNSUPPORTED: 409,
};

export class RelayEndpointError extends Error {
  override name = 'RelayEndpointError';
  readonly code: RelayErrorCode;
  /** For RELAY_CAPABILITY_MISSING: "CAP_NET_RAW" or "CAP_NET_ADMIN". */
  readonly capability: string | undefined;

  constructor(code: RelayErrorCode, message: string, capability?: string) {
    super(message);
    this.code = code;
    this.capability = capability;
  }

  get status(): 400 | 409 {
    return RELAY_ERROR_STATUS[this.code];
  }
}

export function isRelayErrorCode(code: unknown): code is RelayErrorCode {
  return typeof code === 'string' && Object.hasOwn(RELAY_ERROR_STATUS, code);
}
