import { timingSafeEqual } from 'node:crypto';
import {
  CancelVerificationRequest,
  CheckVerificationOutcome,
  CheckVerificationRequest,
  StartVerificationRequest,
  StartVerificationResult,
  VerificationProvider,
} from './verification-provider.interface';

/**
 * `VERIFY_TEST_NUMBERS` in front of the configured provider: a listed number is never sent anything, and its
 * listed code confirms it. Every other number goes to the provider.
 */
export class TestNumberProvider implements VerificationProvider {
  constructor(
    private readonly provider: VerificationProvider,
    private readonly testNumbers: ReadonlyMap<string, string>,
  ) {}

  get name(): string {
    return this.provider.name;
  }

  get channels(): VerificationProvider['channels'] {
    return this.provider.channels;
  }

  async start(request: StartVerificationRequest): Promise<StartVerificationResult> {
    if (this.testNumbers.has(request.to.e164)) return {};
    return this.provider.start(request);
  }

  async check(request: CheckVerificationRequest): Promise<CheckVerificationOutcome> {
    const listed = this.testNumbers.get(request.to.e164);
    if (listed === undefined) return this.provider.check(request);
    const given = Buffer.from(request.code);
    const expected = Buffer.from(listed);
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'approved' : 'wrong_code';
  }

  async cancel(request: CancelVerificationRequest): Promise<void> {
    if (!this.testNumbers.has(request.to.e164)) await this.provider.cancel(request);
  }
}
