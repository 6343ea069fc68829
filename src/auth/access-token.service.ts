import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { SessionContext } from '../common/decorators/current-session.decorator';
import { authConfig } from '../config';
import { User } from '../users/entities/user.entity';
import { SigningKeys } from './keys/signing-keys';

/** The claims of an access token (OpenID Connect's standard claim names). */
export interface AccessTokenClaims {
  sub: string;
  email: string;
  phone_number?: string;
  phone_number_verified: boolean;
  /** The session the token belongs to. */
  sid: string;
  /** When the user last gave their password, in seconds since the epoch. */
  auth_time: number;
}

export interface IssuedAccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

@Injectable()
export class AccessTokenService {
  constructor(
    private readonly keys: SigningKeys,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  /** Signs a token with the user's current claims, for a session. */
  async issue(user: User, session: SessionContext, now = new Date()): Promise<IssuedAccessToken> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const claims: AccessTokenClaims = {
      sub: user.id,
      email: user.email,
      ...(user.phoneE164 ? { phone_number: user.phoneE164 } : {}),
      phone_number_verified: user.phoneE164 !== null && user.phoneConfirmed,
      sid: session.sessionId,
      auth_time: Math.floor(session.authTime.getTime() / 1000),
    };
    const accessToken = await this.keys.sign({
      ...claims,
      iss: this.config.issuer,
      aud: this.config.audience,
      iat: issuedAt,
      exp: issuedAt + this.config.expiresInSeconds,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.expiresInSeconds };
  }
}
