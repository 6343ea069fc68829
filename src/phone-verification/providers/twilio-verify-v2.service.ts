import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AxiosError, AxiosRequestConfig, isAxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';
import { verifyConfig } from '../../config/verify.config';
import {
  deadline,
  isTimeout,
  JsonObject,
  parseJsonObject,
  retryAfterSeconds,
  TEXT_RESPONSE,
} from './provider-http';
import {
  CancelVerificationRequest,
  Channel,
  CheckVerificationOutcome,
  CheckVerificationRequest,
  StartVerificationRequest,
  StartVerificationResult,
  VerificationProvider,
  VerificationProviderError,
  VerificationProviderFailure,
} from './verification-provider.interface';

type Operation = 'start' | 'check' | 'cancel';

/** A 2xx answer (body undefined when it is not a JSON object), or Verify's "no such verification". */
type Answer = { found: true; status: number; body: JsonObject | undefined } | { found: false };

const FAILURE_BY_CODE: Readonly<Record<number, VerificationProviderFailure>> = {
  60205: 'channel_refused',
  60605: 'country_not_allowed',
  60410: 'destination_blocked',
  60412: 'destination_blocked',
  60203: 'send_limit',
  60202: 'too_many_attempts',
  20429: 'rate_limited',
  60212: 'rate_limited',
};

const NOT_FOUND_CODE = 20404;
const INVALID_PARAMETER_CODE = 60200;
const BAD_CREDENTIALS_CODE = 20003;
const TOO_MANY_REQUESTS_CODE = 20429;

/**
 * The outcome of each `status` a 2xx check may carry: a wrong code leaves the verification `pending`; the others
 * mean it is over. A status not listed is not understood and fails with provider_error.
 */
const OUTCOME_BY_CHECK_STATUS: ReadonlyMap<string, CheckVerificationOutcome> = new Map([
  ['approved', 'approved'],
  ['pending', 'wrong_code'],
  ['canceled', 'not_found'],
  ['expired', 'not_found'],
  ['max_attempts_reached', 'not_found'],
  ['deleted', 'not_found'],
  ['failed', 'not_found'],
]);

const MAX_RETRIES = 2;
const RETRY_BASE_MS = 100;
const MAX_RETRY_AFTER_MS = 1000;

const REQUEST_OPTIONS: AxiosRequestConfig<string> = {
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
  ...TEXT_RESPONSE,
};

@Injectable()
export class TwilioVerifyV2Service implements VerificationProvider {
  readonly name = 'twilio-v2';
  readonly channels: readonly Channel[] = ['sms', 'call', 'whatsapp'];
  private readonly logger = new Logger(TwilioVerifyV2Service.name);

  constructor(
    private readonly httpService: HttpService,
    @Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>,
  ) {}

  async start(request: StartVerificationRequest): Promise<StartVerificationResult> {
    const form = new URLSearchParams({ To: request.to.e164, Channel: request.channel });
    if (request.locale) form.set('Locale', request.locale);
    const answer = await this.post('start', `${this.servicePath()}/Verifications`, form);
    const sid = answer.found ? answer.body?.sid : undefined;
    if (typeof sid !== 'string' || sid === '') {
      throw this.failure('start', 'provider_error', { upstreamStatus: answer.found ? answer.status : 404 });
    }
    return { reference: sid };
  }

  async check(request: CheckVerificationRequest): Promise<CheckVerificationOutcome> {
    const form = request.reference
      ? new URLSearchParams({ VerificationSid: request.reference })
      : new URLSearchParams({ To: request.to.e164 });
    form.set('Code', request.code);
    const answer = await this.post('check', `${this.servicePath()}/VerificationCheck`, form);
    if (!answer.found) return 'not_found';
    const status = answer.body?.status;
    const outcome = typeof status === 'string' ? OUTCOME_BY_CHECK_STATUS.get(status) : undefined;
    if (outcome === undefined) {
      throw this.failure('check', 'provider_error', { upstreamStatus: answer.status });
    }
    return outcome;
  }

  async cancel(request: CancelVerificationRequest): Promise<void> {
    if (!request.reference) return;
    const path = `${this.servicePath()}/Verifications/${encodeURIComponent(request.reference)}`;
    await this.post('cancel', path, new URLSearchParams({ Status: 'canceled' }));
  }

  /** Waits between retries; a method so that tests can skip the wait. */
  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  private servicePath(): string {
    return `Services/${encodeURIComponent(this.config.v2.serviceSid)}`;
  }

  private async post(operation: Operation, path: string, form: URLSearchParams): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await firstValueFrom(
          this.httpService.post<string>(path, form.toString(), {
            ...REQUEST_OPTIONS,
            ...deadline(this.config.timeoutMs),
          }),
        );
        return { found: true, status: response.status, body: parseJsonObject(response.data) };
      } catch (error) {
        if (!isAxiosError(error)) throw error;
        const delay = this.retryDelay(error, attempt);
        if (delay === undefined) return this.answerFromError(operation, error);
        await this.sleep(delay);
      }
    }
  }

  /** Only a plain 20429 "too many requests" is retried: nothing else is known not to have been acted on. */
  private retryDelay(error: AxiosError, attempt: number): number | undefined {
    const response = error.response;
    if (attempt >= MAX_RETRIES || response?.status !== 429) return undefined;
    if (readCode(parseJsonObject(response.data)) !== TOO_MANY_REQUESTS_CODE) return undefined;
    const retryAfterMs = (retryAfterSeconds(response) ?? 0) * 1000;
    if (retryAfterMs > MAX_RETRY_AFTER_MS) return undefined;
    const backoffMs = RETRY_BASE_MS * 2 ** attempt * (1 + 2 * Math.random());
    return Math.max(Math.round(backoffMs), retryAfterMs);
  }

  private answerFromError(operation: Operation, error: AxiosError): Answer {
    const response = error.response;
    if (!response) {
      const failure = isTimeout(error) ? 'timeout' : 'provider_error';
      this.logger.warn(`Verify v2 ${operation} failed: ${failure} (${error.code ?? 'unknown'})`);
      throw new VerificationProviderError(failure, { upstreamCode: error.code });
    }
    const upstreamStatus = response.status;
    const body = parseJsonObject(response.data);
    const upstreamCode = readCode(body);
    if (
      operation !== 'start' &&
      upstreamStatus < 500 &&
      (upstreamStatus === 404 || upstreamCode === NOT_FOUND_CODE)
    ) {
      return { found: false };
    }
    throw this.failure(operation, failureFor(upstreamStatus, upstreamCode, body), {
      upstreamCode,
      upstreamStatus,
      retryAfterSeconds: retryAfterSeconds(response),
    });
  }

  private failure(
    operation: Operation,
    failure: VerificationProviderFailure,
    detail: VerificationProviderError['detail'],
  ): VerificationProviderError {
    const { upstreamCode, upstreamStatus } = detail;
    if (upstreamCode === BAD_CREDENTIALS_CODE) {
      this.logger.error(
        `Verify v2 ${operation} failed: Twilio rejected our credentials (upstream code ${upstreamCode}); ` +
          'check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
      );
    } else {
      this.logger.warn(
        `Verify v2 ${operation} failed: ${failure} (upstream code ${upstreamCode ?? 'none'}, status ${upstreamStatus ?? 'none'})`,
      );
    }
    return new VerificationProviderError(failure, detail);
  }
}

function failureFor(
  status: number,
  code: number | undefined,
  body: JsonObject | undefined,
): VerificationProviderFailure {
  if (status >= 500 || code === undefined) return 'provider_error';
  if (code === INVALID_PARAMETER_CODE) return isAboutTo(body) ? 'invalid_number' : 'provider_error';
  return FAILURE_BY_CODE[code] ?? 'provider_error';
}

/** Whether a 60200 names the `To` parameter: the one place a message is looked at, for a parameter name only. */
function isAboutTo(body: JsonObject | undefined): boolean {
  const { message, param } = body ?? {};
  return param === 'To' || (typeof message === 'string' && /\bTo\b/.test(message));
}

function readCode(body: JsonObject | undefined): number | undefined {
  const code = body?.code;
  if (typeof code === 'number' && Number.isInteger(code)) return code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  return undefined;
}
