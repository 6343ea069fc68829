import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { ExpiredRecordsSweeper } from './expired-records.sweeper';

/** Deletes expired sessions and idempotency keys in the background. */
@Module({ imports: [AuthModule, IdempotencyModule], providers: [ExpiredRecordsSweeper] })
export class RetentionModule {}
