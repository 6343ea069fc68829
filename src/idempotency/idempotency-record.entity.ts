import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../users/entities/user.entity';

/** The first answer to a request sent with an `Idempotency-Key`, replayed to its repeats. */
@Entity({ name: 'idempotency_keys' })
@Index('IDX_idempotency_keys_expires_at', ['expiresAt'])
export class IdempotencyRecord {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => User, { onDelete: 'CASCADE' })
  userId: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  /** SHA-256 of the request body: the same key with another body is a client bug, not a repeat. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  /** Null while the first request is still being answered. */
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  /** The answer as JSON: the body of a success, or the code, message and extras of an error. */
  @Column({ type: 'text', nullable: true })
  answer: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;

  @Column({ name: 'expires_at', type: Date })
  expiresAt: Date;
}
