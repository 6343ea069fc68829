import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AxiosError, AxiosRequestConfig, AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { verifyConfig } from '../../config/verify.config';
import {
  deadline,
  isTimeout,
  JsonObject,
  parseJsonObject,
  retryAfterSeconds,
  TEXT_RESPONSE,
  wasNotSent,
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

const START_PATH = 'protected/json/phones/verification/start';
const CHECK_PATH = 'protected/json/phones/verification/check';

const FAILURE_BY_ERROR_CODE: ReadonlyMap<string, VerificationProviderFailure> = new Map([
  ['60033', 'invalid_number'],
  ['60078', 'invalid_number'],
  ['60083', 'invalid_number'],
  ['60082', 'channel_refused'],
  ['60003', 'rate_limited'],
]);
const INVALID_API_KEY = '60001';
const WRONG_CODE = '60022';
const NOTHING_PENDING = '60023';

type Operation = 'start' | 'check';

interface UpstreamReply {
  status: number;
  body: JsonObject | undefined;
  errorCode: string | undefined;
  retryAfterSeconds: number | undefined;
}

/** Verify v1 (Authy-based) adapter: Twilio's legacy API, `X-Authy-API-Key`, form or query parameters. */
@Injectable()
export class TwilioVerifyService implements VerificationProvider {
  readonly name = 'twilio-v1';
  readonly channels: readonly Channel[] = ['sms', 'call'];
  private readonly logger = new Logger(TwilioVerifyService.name);

  constructor(
    private readonly http: HttpService,
    @Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>,
  ) {}

  async start(request: StartVerificationRequest): Promise<StartVerificationResult> {
    if (!this.channels.includes(request.channel)) {
      throw this.failure('start', 'channel_refused', {});
    }
    const form = new URLSearchParams({
      via: request.channel,
      country_code: request.to.countryCode,
      phone_number: request.to.nationalNumber,
      code_length: String(request.codeLength),
    });
    if (request.locale) {
      form.set('locale', request.locale);
    }
    const reply = await this.send(
      'start',
      {
        method: 'POST',
        url: START_PATH,
        data: form,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      },
      { retryNotSent: false },
    );
    if (reply.status === 200 && reply.body?.success === true) {
      return {};
    }
    throw this.upstreamFailure('start', reply);
  }

  async check(request: CheckVerificationRequest): Promise<CheckVerificationOutcome> {
    const reply = await this.send(
      'check',
      {
        method: 'GET',
        url: CHECK_PATH,
        params: {
          country_code: request.to.countryCode,
          phone_number: request.to.nationalNumber,
          verification_code: request.code,
        },
      },
      { retryNotSent: true },
    );
    if (reply.status === 200 && reply.body?.success === true) {
      return 'approved';
    }
    if (reply.status >= 400 && reply.status < 500) {
      if (reply.errorCode === WRONG_CODE) {
        return 'wrong_code';
      }
      if (reply.errorCode === NOTHING_PENDING) {
        return 'not_found';
      }
    }
    throw this.upstreamFailure('check', reply);
  }

  /** v1 has no cancel call: a pending code simply expires after 10 minutes. */
  async cancel(_request: CancelVerificationRequest): Promise<void> {}

  private async send(
    operation: Operation,
    config: AxiosRequestConfig,
    options: { retryNotSent: boolean },
  ): Promise<UpstreamReply> {
    try {
      const response = await firstValueFrom(
        this.http.request<string>({
          ...config,
          ...TEXT_RESPONSE,
          ...deadline(this.config.timeoutMs),
          validateStatus: () => true,
        }),
      );
      return readReply(response);
    } catch (error) {
      if (!(error instanceof AxiosError)) {
        throw error;
      }
      if (options.retryNotSent && wasNotSent(error)) {
        return this.send(operation, config, { retryNotSent: false });
      }
      const failure = isTimeout(error) ? 'timeout' : 'provider_error';
      throw this.failure(operation, failure, { upstreamCode: error.code });
    }
  }

  private upstreamFailure(operation: Operation, reply: UpstreamReply): VerificationProviderError {
    const clientError = reply.status >= 400 && reply.status < 500;
    const failure = (clientError && FAILURE_BY_ERROR_CODE.get(reply.errorCode ?? '')) || 'provider_error';
    return this.failure(operation, failure, {
      upstreamCode: reply.errorCode,
      upstreamStatus: reply.status,
      retryAfterSeconds: failure === 'rate_limited' ? reply.retryAfterSeconds : undefined,
    });
  }

  private failure(
    operation: Operation,
    failure: VerificationProviderFailure,
    detail: VerificationProviderError['detail'],
  ): VerificationProviderError {
    const error = new VerificationProviderError(failure, detail);
    if (detail.upstreamCode === INVALID_API_KEY) {
      this.logger.error(
        `Verify v1 ${operation}: the API key was refused (60001); check TWILIO_VERIFY_API_KEY`,
      );
    } else {
      this.logger.warn(`Verify v1 ${operation}: ${error.message}`);
    }
    return error;
  }
}

function readReply(response: AxiosResponse<unknown>): UpstreamReply {
  const body = parseJsonObject(response.data);
  const rawCode = body?.error_code;
  const errorCode =
    typeof rawCode === 'string' && rawCode.trim() !== ''
      ? rawCode.trim()
      : typeof rawCode === 'number'
        ? String(rawCode)
        : undefined;
  return {
    status: response.status,
    body,
    errorCode,
    retryAfterSeconds: retryAfterSeconds(response),
  };
}
