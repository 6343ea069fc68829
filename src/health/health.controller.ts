import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { DatabaseHealthIndicator } from './database.health';
import { RedisHealthIndicator } from './redis.health';

const PING_TIMEOUT_MS = 1500;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Readiness: the database (and Redis, when configured) answer' })
  @ApiOkResponse({ description: 'terminus body, status "ok"' })
  @ApiServiceUnavailableResponse({ description: 'terminus body, status "error"' })
  async readiness(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult> {
    const checks = [() => this.database.pingCheck('database', PING_TIMEOUT_MS)];
    if (this.redis.configured) checks.push(() => this.redis.pingCheck('redis', PING_TIMEOUT_MS));
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves' })
  @ApiOkResponse({ description: '{ "status": "ok" }' })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
