import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { DatabaseHealthIndicator } from './database.health';
import { RedisHealthIndicator } from './redis.health';

const PING_TIMEOUT_MS = 1500;

const INDICATORS: SchemaObject = { type: 'object', additionalProperties: { type: 'object' } };
/** The body of @nestjs/terminus, for clients generated from the document. */
const READINESS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error'] },
    info: INDICATORS,
    error: INDICATORS,
    details: INDICATORS,
  },
};

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
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: the database (and Redis, when configured) answer',
  })
  @ApiOkResponse({ description: 'Every dependency answers: status "ok"', schema: READINESS_SCHEMA })
  @ApiServiceUnavailableResponse({
    description: 'A dependency does not answer: status "error"',
    schema: READINESS_SCHEMA,
  })
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
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process serves' })
  @ApiOkResponse({
    description: 'The process serves',
    schema: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['ok'] } },
    },
  })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
