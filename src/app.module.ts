import { Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { seconds, ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { LoggingThrottlerGuard } from './common/rate-limit/logging-throttler.guard';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { JwtAuthGuard } from './auth/guards/jwt-auth.guard';
import { CommonModule } from './common/common.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { loggerOptions } from './common/logging/logger.options';
import { RateLimitModule, THROTTLER_STORAGE } from './common/rate-limit/rate-limit.module';
import { createValidationPipe } from './common/validation';
import { appConfig, configModuleOptions } from './config';
import { DatabaseModule } from './database/database.module';
import { DemoUiModule } from './demo-ui/demo-ui.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PhoneVerificationModule } from './phone-verification/phone-verification.module';
import { RetentionModule } from './retention/retention.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule.forRoot(configModuleOptions),
    LoggerModule.forRootAsync({ inject: [appConfig.KEY], useFactory: loggerOptions }),
    CommonModule,
    MetricsModule,
    RateLimitModule,
    ThrottlerModule.forRootAsync({
      inject: [appConfig.KEY, THROTTLER_STORAGE],
      useFactory: (config: ConfigType<typeof appConfig>, storage: ThrottlerStorage) => ({
        throttlers: [{ ttl: seconds(config.throttleTtlSeconds), limit: config.throttleLimit }],
        storage,
      }),
    }),
    DatabaseModule,
    UsersModule,
    AuthModule,
    PhoneVerificationModule,
    HealthModule,
    DemoUiModule,
    RetentionModule,
  ],
  providers: [
    { provide: APP_GUARD, useClass: LoggingThrottlerGuard },
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
export class AppModule {}
