import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig } from '../config';
import { UsersModule } from '../users/users.module';
import { AccessTokenService } from './access-token.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BearerAuthenticator } from './bearer-authenticator';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { SigningKeys } from './keys/signing-keys';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { WellKnownController } from './well-known.controller';

@Module({
  imports: [UsersModule, TypeOrmModule.forFeature([Session, RefreshToken])],
  controllers: [AuthController, WellKnownController],
  providers: [
    {
      provide: SigningKeys,
      inject: [authConfig.KEY],
      useFactory: (config: ConfigType<typeof authConfig>) => SigningKeys.load(config.signing),
    },
    AuthService,
    PasswordHasher,
    AccessTokenService,
    SessionsService,
    SessionsRepository,
    LoginThrottle,
    BearerAuthenticator,
    JwtAuthGuard,
  ],
  exports: [AccessTokenService, JwtAuthGuard, SessionsRepository],
})
export class AuthModule {}
