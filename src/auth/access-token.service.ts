import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { authConfig } from '../config';
import { User } from '../users/entities/user.entity';

/** The claims of an access token (OpenID Connect's standard claim names). */
export interface AccessTokenClaims {
  sub: string;
  email: string;
  phone_number?: string;
  phone_number_verified: boolean;
}

export interface IssuedAccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  issue(user: User): IssuedAccessToken {
    const claims: AccessTokenClaims = {
      sub: user.id,
      email: user.email,
      ...(user.phoneE164 ? { phone_number: user.phoneE164 } : {}),
      phone_number_verified: user.phoneE164 !== null && user.phoneConfirmed,
    };
    return {
      accessToken: this.jwt.sign(claims),
      tokenType: 'Bearer',
      expiresIn: this.config.expiresInSeconds,
    };
  }
}
