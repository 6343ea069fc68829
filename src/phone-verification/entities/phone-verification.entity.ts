import { Column, Entity, ForeignKey, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';
import type { Channel } from '../providers/verification-provider.interface';

export type VerificationStatus = 'pending' | 'approved' | 'canceled' | 'expired';
export type CancelReason = 'number_changed' | 'too_many_attempts' | 'number_taken' | 'provider_gone';

/** One attempt to prove ownership of one number: the rules' state (sends, attempts, expiry) lives here. */
@Entity({ name: 'phone_verifications' })
@Index('IDX_phone_verifications_user', ['userId', 'createdAt'])
// "Does another account wait for a code to this number?"
@Index('IDX_phone_verifications_number_status', ['phoneE164', 'status'])
// At most one pending verification per user: concurrent starts cannot both create one.
@Index('UQ_phone_verifications_pending_user', ['userId'], { unique: true, where: "status = 'pending'" })
export class PhoneVerification {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  userId: string;

  @Column({ name: 'phone_e164', type: 'varchar', length: 16 })
  phoneE164: string;

  @Column({ name: 'phone_country_code', type: 'varchar', length: 4 })
  phoneCountryCode: string;

  @Column({ name: 'phone_national_number', type: 'varchar', length: 17 })
  phoneNationalNumber: string;

  @Column({ type: 'varchar', length: 16 })
  channel: Channel;

  @Column({ type: 'varchar', length: 16 })
  status: VerificationStatus;

  @Column({ name: 'cancel_reason', type: 'varchar', length: 32, nullable: true })
  cancelReason: CancelReason | null;

  @Column({ name: 'provider_reference', type: 'varchar', length: 64, nullable: true })
  providerReference: string | null;

  /** Checks taken: wrong codes plus those still waiting for the provider (bounds provider calls). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** Wrong codes entered: the verification is cancelled when they reach the cap. */
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts: number;

  @Column({ name: 'send_count', type: 'integer', default: 0 })
  sendCount: number;

  @Column({ name: 'last_sent_at', type: Date, nullable: true })
  lastSentAt: Date | null;

  @Column({ name: 'expires_at', type: Date })
  expiresAt: Date;

  @Column({ name: 'created_at', type: Date, default: () => 'CURRENT_TIMESTAMP' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: Date })
  updatedAt: Date;
}
