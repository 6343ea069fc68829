import { Column, Entity, PrimaryColumn } from 'typeorm';

export type VerificationEventKind = 'send' | 'failed_check';

/** A row per code sent and per wrong code: the rolling hourly and daily caps count these, and audits read them. */
@Entity({ name: 'verification_events' })
export class VerificationEvent {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'verification_id', type: 'uuid' })
  verificationId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: VerificationEventKind;

  @Column({ type: 'varchar', length: 16, nullable: true })
  channel: string | null;

  @Column({ name: 'created_at' })
  createdAt: Date;
}
