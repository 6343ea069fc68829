import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

export type SessionEndReason = 'logout' | 'password_changed' | 'refresh_token_reused';

/**
 * One sign-in (register, login or password change) and everything refreshed from it. Access tokens carry
 * its id (`sid`); once `revokedAt` is set, neither they nor its refresh tokens are accepted.
 */
@Entity({ name: 'sessions' })
@Index('IDX_sessions_user', ['userId'])
@Index('IDX_sessions_expires_at', ['expiresAt'])
export class Session {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_sessions_user' })
  user?: User;

  /** When the user last gave their password in this session (`auth_time`). */
  @Column({ name: 'auth_time', type: Date })
  authTime: Date;

  /** When its newest refresh token expires: the session ends then. */
  @Column({ name: 'expires_at', type: Date })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoke_reason', type: 'varchar', length: 32, nullable: true })
  revokeReason: SessionEndReason | null;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;
}
