import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { authConfig } from '../config';
import { UsersModule } from '../users/users.module';
import { AccessTokenService } from './access-token.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { JwtStrategy } from './strategies/jwt.strategy';

@Module({
  imports: [
    UsersModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [authConfig.KEY],
      useFactory: (config: ConfigType<typeof authConfig>) => ({
        privateKey: config.jwtKey,
        publicKey: config.jwtKey,
        signOptions: {
          algorithm: 'HS256',
          expiresIn: config.expiresInSeconds,
          issuer: config.issuer,
          audience: config.audience,
        },
        verifyOptions: { algorithms: ['HS256'], issuer: config.issuer, audience: config.audience },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, PasswordHasher, AccessTokenService, LoginThrottle, JwtStrategy, JwtAuthGuard],
  exports: [AccessTokenService, JwtAuthGuard],
})
export class AuthModule {}
