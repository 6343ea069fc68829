/** The channels a code can travel by. Which ones a provider supports is in `VerificationProvider.channels`. */
export const CHANNELS = ['sms', 'call', 'whatsapp'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The number a verification is for, in the two shapes the upstreams want. */
export interface VerificationDestination {
  /** E.164, e.g. `+447123456789`. */
  e164: string;
  /** Country dialing code without `+`, e.g. `44`. */
  countryCode: string;
  /** National significant number without trunk prefix, e.g. `7123456789`. */
  nationalNumber: string;
}

export interface StartVerificationRequest {
  to: VerificationDestination;
  channel: Channel;
  locale?: string;
  codeLength: number;
}

export interface StartVerificationResult {
  /** The provider's id of the verification (Verify v2 `sid`), kept to check or cancel exactly this one. */
  reference?: string;
}

export interface CheckVerificationRequest {
  to: VerificationDestination;
  code: string;
  reference?: string;
}

/**
 * - `approved`: the code is right.
 * - `wrong_code`: the code is wrong; the verification stays pending at the provider.
 * - `not_found`: the provider has no pending verification for it (expired, used or exhausted).
 */
export type CheckVerificationOutcome = 'approved' | 'wrong_code' | 'not_found';

export interface CancelVerificationRequest {
  to: VerificationDestination;
  reference?: string;
}

/** Every way a provider call can fail, whatever the upstream said. */
export type VerificationProviderFailure =
  | 'invalid_number'
  | 'channel_refused'
  | 'country_not_allowed'
  | 'destination_blocked'
  | 'send_limit'
  | 'too_many_attempts'
  | 'rate_limited'
  | 'provider_error'
  | 'timeout';

/**
 * Thrown by providers. Carries no upstream text: the message is for our logs and names only the outcome
 * and the upstream error code.
 */
export class VerificationProviderError extends Error {
  constructor(
    readonly failure: VerificationProviderFailure,
    readonly detail: {
      upstreamCode?: string | number;
      upstreamStatus?: number;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(
      `verification provider failure: ${failure}` +
        (detail.upstreamCode !== undefined ? ` (upstream code ${detail.upstreamCode})` : '') +
        (detail.upstreamStatus !== undefined ? ` (upstream status ${detail.upstreamStatus})` : ''),
    );
    this.name = 'VerificationProviderError';
  }
}

/**
 * The port every verification provider implements. Implementations translate their upstream's answers into
 * the outcomes above and throw `VerificationProviderError` for every failure. A start is never retried after a
 * timeout or a reset (the code may have gone out, and every start is billed).
 */
export interface VerificationProvider {
  readonly name: string;
  readonly channels: readonly Channel[];
  start(request: StartVerificationRequest): Promise<StartVerificationResult>;
  check(request: CheckVerificationRequest): Promise<CheckVerificationOutcome>;
  /** Ends a pending verification at the provider, where the provider has such a call. */
  cancel(request: CancelVerificationRequest): Promise<void>;
}

export const VERIFICATION_PROVIDER = Symbol('VERIFICATION_PROVIDER');
