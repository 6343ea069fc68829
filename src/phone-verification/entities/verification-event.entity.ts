import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';
import { PhoneVerification } from './phone-verification.entity';

export type VerificationEventKind = 'send' | 'failed_check';

/** A row per code sent and per wrong code: the rolling hourly and daily caps count these, and audits read them. */
@Entity({ name: 'verification_events' })
@Index('IDX_verification_events_user_kind', ['userId', 'kind', 'createdAt'])
export class VerificationEvent {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'verification_id', type: 'uuid' })
  @ForeignKey(() => PhoneVerification, { onDelete: 'CASCADE' })
  verificationId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: VerificationEventKind;

  @Column({ type: 'varchar', length: 16, nullable: true })
  channel: string | null;

  @Column({ name: 'created_at', type: Date, default: () => 'CURRENT_TIMESTAMP' })
  createdAt: Date;
}
