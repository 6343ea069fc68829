import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { authConfig } from '../../config';
import { User } from '../../users/entities/user.entity';
import { UsersService } from '../../users/users.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Accepts only HS256 tokens of this issuer and audience, unexpired, whose user still exists. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken takes a KeyObject; passport-jwt's types predate it.
      secretOrKey: config.jwtKey as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.issuer,
      audience: config.audience,
      ignoreExpiration: false,
    });
  }

  async validate(payload: { sub?: unknown; exp?: unknown }): Promise<User | false> {
    // jsonwebtoken checks `exp` only when present: a token without one would never expire.
    if (typeof payload.exp !== 'number') return false;
    if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) return false;
    return (await this.users.findById(payload.sub)) ?? false;
  }
}
