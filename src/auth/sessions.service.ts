import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { authConfig } from '../config';
import { TransactionRunner } from '../database/transaction-runner';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AccessTokenService } from './access-token.service';
import { TokenPairDto } from './dto/token-pair.dto';
import { Session, SessionEndReason } from './entities/session.entity';
import { generateRefreshToken, hashRefreshToken, judgeRefresh } from './refresh-token';
import { SessionsRepository } from './sessions.repository';

/** A session just begun or refreshed, with the refresh token the client must keep. */
export interface SessionGrant {
  session: Session;
  refreshToken: string;
  refreshExpiresAt: Date;
}

/** Sessions and their refresh tokens: begun at sign-in, rotated on refresh, ended by logout or reuse. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokenService,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  /** Starts a session for a user who has just given their password, and answers its first token pair. */
  async begin(user: User): Promise<TokenPairDto> {
    const grant = await this.transactions.run((manager) => this.beginWith(manager, user.id));
    return this.tokenPair(user, grant);
  }

  /** Starts a session inside the caller's transaction (a password change ends the others in the same one). */
  async beginWith(manager: EntityManager, userId: string): Promise<SessionGrant> {
    const now = this.clock.now();
    const session: Session = {
      id: randomUUID(),
      userId,
      authTime: now,
      expiresAt: this.refreshExpiry(now),
      revokedAt: null,
      revokeReason: null,
      createdAt: now,
    };
    // Housekeeping at sign-in keeps the tables to the sessions that can still be used, without a job.
    await this.sessions.deleteExpiredSessionsOf(manager, userId, now);
    await this.sessions.insertSession(manager, session);
    return { session, ...(await this.addRefreshToken(manager, session, now)) };
  }

  /**
   * Exchanges a refresh token for a new pair with fresh claims. A token spent within the reuse interval is
   * served again (two tabs refreshing at once); one spent before that revokes its session.
   * @throws AppError `INVALID_REFRESH_TOKEN`
   */
  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const tokenHash = hashRefreshToken(refreshToken);
    const now = this.clock.now();
    const outcome = await this.transactions.run(async (manager) => {
      let found = await this.sessions.findRefreshToken(manager, tokenHash);
      const judge = () =>
        judgeRefresh(
          found && { ...found.token, sessionActive: found.session.revokedAt === null },
          now,
          this.config.refreshTokenReuseIntervalSeconds,
        );
      let verdict = judge();
      if (verdict === 'rotate' && !(await this.sessions.spend(manager, tokenHash, now))) {
        // Another request spent it since we read it: judge again what it left.
        found = await this.sessions.findRefreshToken(manager, tokenHash);
        verdict = judge();
      }
      if (verdict === 'invalid' || !found) return { verdict: 'invalid' as const };
      const { session } = found;
      if (verdict === 'reuse') {
        await this.sessions.revokeSession(manager, session.id, 'refresh_token_reused', now);
        return { verdict, session };
      }
      const user = await this.users.findByIdWith(manager, session.userId);
      if (!user) return { verdict: 'invalid' as const };
      const issued = await this.addRefreshToken(manager, session, now);
      await this.sessions.extendSession(manager, session.id, issued.refreshExpiresAt);
      return { verdict, session, user, grant: { session, ...issued } };
    });
    if (outcome.verdict === 'invalid' || !('user' in outcome) || !outcome.user) {
      if (outcome.verdict === 'reuse') {
        this.logger.warn({
          event: 'session.refresh_token_reused',
          userId: outcome.session.userId,
          sessionId: outcome.session.id,
          outcome: 'session_revoked',
        });
      } else {
        this.logger.log({ event: 'session.refresh', outcome: 'invalid' });
      }
      throw new AppError('INVALID_REFRESH_TOKEN', 'The refresh token is invalid, expired or already used');
    }
    this.logger.log({
      event: 'session.refresh',
      userId: outcome.user.id,
      sessionId: outcome.session.id,
      outcome: outcome.verdict === 'grace' ? 'reuse_interval' : 'rotated',
    });
    return this.tokenPair(outcome.user, outcome.grant);
  }

  /** Ends one session, or every session of its user; their refresh and access tokens stop working. */
  async end(userId: string, sessionId: string, allSessions: boolean): Promise<void> {
    const now = this.clock.now();
    await this.transactions.run(async (manager) => {
      if (allSessions) await this.sessions.revokeSessionsOf(manager, userId, 'logout', now);
      else await this.sessions.revokeSession(manager, sessionId, 'logout', now);
    });
    this.logger.log({ event: 'session.logout', userId, sessionId, allSessions });
  }

  /** Ends every running session of the user, inside the caller's transaction. */
  endAllWith(manager: EntityManager, userId: string, reason: SessionEndReason): Promise<number> {
    return this.sessions.revokeSessionsOf(manager, userId, reason, this.clock.now());
  }

  /** Answers a pair for a grant, with the user's claims as they are now. */
  async tokenPair(user: User, grant: SessionGrant): Promise<TokenPairDto> {
    const now = this.clock.now();
    const access = await this.accessTokens.issue(
      user,
      { sessionId: grant.session.id, authTime: grant.session.authTime },
      now,
    );
    return {
      ...access,
      refreshToken: grant.refreshToken,
      // Every refresh token is issued with the full lifetime, this one included.
      refreshExpiresIn: this.config.refreshTokenTtlSeconds,
      user: UserResponseDto.from(user),
    };
  }

  private async addRefreshToken(
    manager: EntityManager,
    session: Session,
    now: Date,
  ): Promise<{ refreshToken: string; refreshExpiresAt: Date }> {
    const refreshToken = generateRefreshToken();
    const refreshExpiresAt = this.refreshExpiry(now);
    await this.sessions.insertRefreshToken(manager, {
      tokenHash: hashRefreshToken(refreshToken),
      sessionId: session.id,
      expiresAt: refreshExpiresAt,
      spentAt: null,
      createdAt: now,
    });
    return { refreshToken, refreshExpiresAt };
  }

  private refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.refreshTokenTtlSeconds * 1000);
  }
}
