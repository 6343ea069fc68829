import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { verifyConfig } from '../config';
import { TransactionRunner } from '../database/transaction-runner';
import { countryOf } from '../metrics/country';
import { User } from '../users/entities/user.entity';
import { ParsedPhoneNumber, PhoneNumberParser } from '../users/phone-number.parser';
import { UsersService } from '../users/users.service';
import { CheckRules } from './check-rules';
import { PhoneVerification } from './entities/phone-verification.entity';
import { PhoneNumberService, StoredPhone } from './phone-number.service';
import { EventWindow, PhoneVerificationRepository, SendState } from './phone-verification.repository';
import { PumpingGuard } from './pumping/pumping-guard.service';
import { withEvent } from './policy/event-history';
import { HOUR_MS, sendBlockOf, SendBlockCode, sendPositions } from './policy/send-policy';
import { Channel } from './providers/verification-provider.interface';
import { SendCaps, SendCapsClaim } from './send-caps';

const SEND_BLOCK_MESSAGES: Record<SendBlockCode, string> = {
  RESEND_TOO_SOON: 'A code was sent moments ago: wait before asking again',
  SEND_LIMIT_REACHED: 'Too many codes were sent in the last hour',
};

export interface SendRequest {
  userId: string;
  channel: Channel;
  /** A number given with the request, already parsed: stored as part of the send. */
  phone: ParsedPhoneNumber | null;
  /** The client address, for the per-address cap. */
  address: string;
}

export interface ReservedSend {
  verification: PhoneVerification;
  /** The send state before this send, or null when this send created the verification. */
  previous: SendState | null;
  eventId: string;
  /** When the next send will be allowed, counting this one. */
  resendAfterSeconds: number;
  /** The number stored before this request stored a new one, or null when it kept the number. */
  replacedPhone: StoredPhone | null;
  /** A verification of the old number this request cancelled: cancel it at the provider once sent. */
  canceled: PhoneVerification | null;
  claim: SendCapsClaim;
  testNumber: boolean;
}

/**
 * The send rules: every rule is judged, and every cap counted, before anything is written; the number given
 * with the request, the send slot and the caps are then taken in one transaction, before the provider is paid.
 */
@Injectable()
export class SendRules {
  private readonly logger = new Logger('PhoneVerification');

  constructor(
    private readonly verifications: PhoneVerificationRepository,
    private readonly users: UsersService,
    private readonly phoneNumbers: PhoneNumberService,
    private readonly parser: PhoneNumberParser,
    private readonly checks: CheckRules,
    private readonly caps: SendCaps,
    private readonly pumping: PumpingGuard,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    @Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>,
  ) {}

  async reserve(request: SendRequest): Promise<ReservedSend> {
    let claim: SendCapsClaim | null = null;
    try {
      return await this.transactions.run(async (manager) => {
        const now = this.clock.now();
        const user = await this.users.findByIdForUpdate(manager, request.userId);
        const phone = this.judge(user, request);
        const testNumber = this.config.testNumbers.has(phone.e164);
        await this.pumping.assertSendAllowed(countryOf(phone.e164));
        const [failures, sends] = await this.verifications.eventHistories(
          request.userId,
          [this.checks.dailyFailureWindow(now), this.sendWindow(now)],
          manager,
        );
        this.checks.assertFailuresBelowCap(request.userId, failures, now);
        const block = sendBlockOf(sends, now, this.config, { cooldown: !testNumber });
        if (block) {
          this.logger.warn({ event: 'verification.limit', userId: request.userId, limit: block.code });
          throw new AppError(block.code, SEND_BLOCK_MESSAGES[block.code], {
            retryAfterSeconds: block.seconds,
          });
        }
        // The shared caps last: what they take is given back if anything after them fails.
        claim = await this.caps.take({ e164: phone.e164, address: request.address, testNumber });
        const written = await this.write(manager, user!, request, phone, now);
        const next = sendBlockOf(withEvent(sends, now), now, this.config, { cooldown: !testNumber });
        return { ...written, claim, testNumber, resendAfterSeconds: Math.ceil(next?.seconds ?? 0) };
      });
    } catch (error) {
      await (claim as SendCapsClaim | null)?.giveBack();
      throw error;
    }
  }

  /** The sends the hourly rules read: those of the last hour. */
  sendWindow(now: Date): EventWindow {
    return { kind: 'send', since: new Date(now.getTime() - HOUR_MS), positions: sendPositions(this.config) };
  }

  /** Takes back a send the provider did not make: its slot, its caps, and a number this request stored. */
  async release(reserved: ReservedSend): Promise<void> {
    const { verification, previous, eventId, replacedPhone } = reserved;
    await this.transactions.run(async (manager) => {
      await this.verifications.removeEvent(manager, eventId);
      if (previous)
        await this.verifications.undoSend(manager, verification.id, verification.lastSentAt!, previous);
      else await this.verifications.remove(manager, verification.id);
      if (replacedPhone)
        await this.phoneNumbers.restore(manager, verification.userId, replacedPhone, verification.phoneE164);
    });
    await reserved.claim.giveBack();
  }

  /** The number this send goes to, once every rule that needs no counting has accepted it. */
  private judge(user: User | null, request: SendRequest): ParsedPhoneNumber {
    if (!user) throw new AppError('UNAUTHORIZED', 'The account no longer exists');
    if (user.phoneConfirmed)
      throw new AppError('PHONE_ALREADY_CONFIRMED', 'The phone number is already confirmed');
    if (!request.phone && !user.phoneE164) {
      throw new AppError(
        'PHONE_NUMBER_REQUIRED',
        'Store a phone number first, or send one with this request',
      );
    }
    // A stored number is judged again: rules may have changed since it was stored (allow-list).
    const phone = request.phone ?? this.parser.parse({ phoneNumber: user.phoneE164! });
    if (request.channel !== 'call' && !phone.smsCapable) {
      throw new AppError('CHANNEL_NOT_SUPPORTED', 'This number is a landline: use the call channel');
    }
    return phone;
  }

  private async write(
    manager: EntityManager,
    user: User,
    request: SendRequest,
    phone: ParsedPhoneNumber,
    now: Date,
  ): Promise<Omit<ReservedSend, 'claim' | 'testNumber' | 'resendAfterSeconds'>> {
    let replacedPhone: StoredPhone | null = null;
    let canceled: PhoneVerification | null = null;
    if (phone.e164 !== user.phoneE164) {
      const change = await this.phoneNumbers.change(manager, user.id, phone);
      replacedPhone = change.previous;
      canceled = change.canceled;
    }
    let verification = await this.verifications.findPending(user.id, manager);
    if (verification && (verification.expiresAt <= now || verification.phoneE164 !== phone.e164)) {
      const expired = verification.expiresAt <= now;
      await this.verifications.endPending(
        manager,
        verification.id,
        expired ? 'expired' : 'canceled',
        now,
        expired ? null : 'number_changed',
      );
      verification = null;
    }
    let previous: SendState | null = null;
    if (verification) {
      previous = { channel: verification.channel, lastSentAt: verification.lastSentAt };
      await this.verifications.recordSend(manager, verification.id, request.channel, now);
      Object.assign(verification, {
        channel: request.channel,
        lastSentAt: now,
        sendCount: verification.sendCount + 1,
      });
    } else {
      verification = this.newVerification(user.id, phone, request.channel, now);
      await this.verifications.insert(manager, verification);
    }
    const eventId = await this.verifications.addEvent(manager, {
      verificationId: verification.id,
      userId: user.id,
      kind: 'send',
      channel: request.channel,
      at: now,
    });
    return { verification, previous, eventId, replacedPhone, canceled };
  }

  private newVerification(
    userId: string,
    phone: ParsedPhoneNumber,
    channel: Channel,
    now: Date,
  ): PhoneVerification {
    return Object.assign(new PhoneVerification(), {
      id: randomUUID(),
      userId,
      phoneE164: phone.e164,
      phoneCountryCode: phone.countryCode,
      phoneNationalNumber: phone.nationalNumber,
      channel,
      status: 'pending',
      cancelReason: null,
      providerReference: null,
      attempts: 0,
      failedAttempts: 0,
      sendCount: 1,
      lastSentAt: now,
      expiresAt: new Date(now.getTime() + this.config.codeTtlSeconds * 1000),
      createdAt: now,
      updatedAt: now,
    } satisfies PhoneVerification);
  }
}
