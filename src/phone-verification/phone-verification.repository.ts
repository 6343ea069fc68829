import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import type { Channel } from './providers/verification-provider.interface';
import { CancelReason, PhoneVerification, VerificationStatus } from './entities/phone-verification.entity';
import { VerificationEvent, VerificationEventKind } from './entities/verification-event.entity';

export interface SendState {
  channel: Channel;
  lastSentAt: Date | null;
}

/** The queries of the verification rules. Every counter moves with a conditional update, never in JavaScript. */
@Injectable()
export class PhoneVerificationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findLatest(
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PhoneVerification | null> {
    return manager.findOne(PhoneVerification, { where: { userId }, order: { createdAt: 'DESC' } });
  }

  findPending(
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PhoneVerification | null> {
    return manager.findOneBy(PhoneVerification, { userId, status: 'pending' });
  }

  /** Whether another account has a pending verification for this number (the provider holds one code for both). */
  async othersPendingFor(
    e164: string,
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const count = await manager
      .createQueryBuilder(PhoneVerification, 'v')
      .where('v.phone_e164 = :e164 AND v.status = :pending AND v.user_id <> :userId', {
        e164,
        pending: 'pending',
        userId,
      })
      .andWhere('v.expires_at > :now', { now: new Date() })
      .getCount();
    return count > 0;
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<PhoneVerification | null> {
    return manager.findOneBy(PhoneVerification, { id });
  }

  async insert(manager: EntityManager, verification: PhoneVerification): Promise<void> {
    await manager.insert(PhoneVerification, verification);
  }

  async remove(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(PhoneVerification, { id });
  }

  async recordSend(manager: EntityManager, id: string, channel: Channel, at: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ channel, lastSentAt: at, sendCount: () => 'send_count + 1', updatedAt: at })
      .where('id = :id', { id })
      .execute();
  }

  /** Takes back a send the provider refused: only if no other send happened since. */
  async undoSend(manager: EntityManager, id: string, sentAt: Date, previous: SendState): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ channel: previous.channel, lastSentAt: previous.lastSentAt, sendCount: () => 'send_count - 1' })
      .where('id = :id AND last_sent_at = :sentAt', { id, sentAt })
      .execute();
  }

  async setProviderReference(manager: EntityManager, id: string, reference: string): Promise<void> {
    await manager.update(PhoneVerification, { id }, { providerReference: reference });
  }

  /** Moves a pending verification to `status`; false when it was no longer pending. */
  async endPending(
    manager: EntityManager,
    id: string,
    status: Exclude<VerificationStatus, 'pending'>,
    at: Date,
    cancelReason: CancelReason | null = null,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ status, cancelReason, updatedAt: at })
      .where('id = :id AND status = :pending', { id, pending: 'pending' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Records the provider's approval. A concurrent check may have marked the verification expired when the
   * provider, having just approved, answered it "not found": the approval still stands.
   */
  async approve(manager: EntityManager, id: string, at: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ status: 'approved', cancelReason: null, updatedAt: at })
      .where('id = :id AND status IN (:...statuses)', { id, statuses: ['pending', 'expired'] })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Takes one of the `max` attempts of a pending verification; false when none is left. */
  async reserveAttempt(manager: EntityManager, id: string, max: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ attempts: () => 'attempts + 1' })
      .where('id = :id AND status = :pending AND attempts < :max', { id, pending: 'pending', max })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Turns a taken attempt into a wrong code; returns the wrong codes entered so far. */
  async recordWrongCode(manager: EntityManager, id: string): Promise<number> {
    await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ failedAttempts: () => 'failed_attempts + 1' })
      .where('id = :id', { id })
      .execute();
    const { failedAttempts } = await manager.findOneOrFail(PhoneVerification, {
      select: { id: true, failedAttempts: true },
      where: { id },
    });
    return failedAttempts;
  }

  /** Gives back an attempt the provider never judged (it failed or timed out). */
  async releaseAttempt(manager: EntityManager, id: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(PhoneVerification)
      .set({ attempts: () => 'attempts - 1' })
      .where('id = :id AND attempts > 0', { id })
      .execute();
  }

  async addEvent(
    manager: EntityManager,
    event: {
      verificationId: string;
      userId: string;
      kind: VerificationEventKind;
      channel?: Channel;
      at: Date;
    },
  ): Promise<string> {
    const id = randomUUID();
    await manager.insert(VerificationEvent, {
      id,
      verificationId: event.verificationId,
      userId: event.userId,
      kind: event.kind,
      channel: event.channel ?? null,
      createdAt: event.at,
    });
    return id;
  }

  async removeEvent(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(VerificationEvent, { id });
  }

  /** When the user's events of one kind happened since `since`, oldest first. */
  async eventTimes(
    userId: string,
    kind: VerificationEventKind,
    since: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Date[]> {
    const events = await manager.find(VerificationEvent, {
      select: { createdAt: true },
      where: { userId, kind, createdAt: MoreThan(since) },
      order: { createdAt: 'ASC' },
    });
    return events.map((event) => event.createdAt);
  }
}
