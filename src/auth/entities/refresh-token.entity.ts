import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Session } from './session.entity';

/**
 * A refresh token, known only by its SHA-256: the token itself is 256 random bits, so a hash without salt
 * cannot be reversed, and it can still be looked up. `spentAt` is set when it is exchanged for a new one.
 */
@Entity({ name: 'refresh_tokens' })
@Index('IDX_refresh_tokens_session', ['sessionId'])
export class RefreshToken {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => Session, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'FK_refresh_tokens_session' })
  session?: Session;

  @Column({ name: 'expires_at', type: Date })
  expiresAt: Date;

  @Column({ name: 'spent_at', type: Date, nullable: true })
  spentAt: Date | null;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;
}
