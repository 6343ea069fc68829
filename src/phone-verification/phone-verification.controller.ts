import {
  Body,
  Controller,
  Get,
  Header,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Ip,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ConfigType } from '@nestjs/config';
import { verifyConfig } from '../config';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { parseIdempotencyKey } from '../idempotency/idempotency-key';
import { CurrentSession, SessionContext } from '../common/decorators/current-session.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { ApiErrorResponses } from '../common/dto/api-error-responses.decorator';
import { User } from '../users/entities/user.entity';
import { CheckVerificationDto } from './dto/check-verification.dto';
import { StartVerificationDto } from './dto/start-verification.dto';
import {
  CheckVerificationResponseDto,
  StartVerificationResponseDto,
  VerificationStatusResponseDto,
} from './dto/verification-response.dto';
import { PhoneNotConfirmedGuard } from './guards/phone-not-confirmed.guard';
import { PhoneVerificationService } from './phone-verification.service';

@ApiTags('phone-verification')
@ApiBearerAuth()
@Controller('phone-verification')
export class PhoneVerificationController {
  constructor(
    private readonly verification: PhoneVerificationService,
    private readonly idempotency: IdempotencyService,
    @Inject(verifyConfig.KEY) private readonly config: ConfigType<typeof verifyConfig>,
  ) {}

  @Post('start')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(PhoneNotConfirmedGuard)
  @ApiOperation({
    operationId: 'startVerification',
    summary: 'Send a code (again) to the stored number, or to the number given here',
    description: 'Calling start again re-sends a code; the wrong-code count is kept.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Repeats with the same key (1 to 255 visible ASCII characters) within the code lifetime get the first ' +
      'answer again and send nothing; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED',
  })
  @ApiAcceptedResponse({ type: StartVerificationResponseDto })
  @ApiErrorResponses([
    'UNAUTHORIZED',
    'PHONE_NUMBER_REQUIRED',
    'INVALID_PHONE_NUMBER',
    'CHANNEL_NOT_SUPPORTED',
    'COUNTRY_NOT_ALLOWED',
    'DESTINATION_BLOCKED',
    'PHONE_ALREADY_CONFIRMED',
    'RESEND_TOO_SOON',
    'SEND_LIMIT_REACHED',
    'TOO_MANY_ATTEMPTS',
    'VERIFY_PROVIDER_ERROR',
    'VERIFY_PROVIDER_TIMEOUT',
    'VERIFY_BUDGET_EXHAUSTED',
    'IDEMPOTENCY_KEY_REUSED',
  ])
  start(
    @CurrentUser() user: User,
    @Body() body: StartVerificationDto,
    @Ip() address: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<StartVerificationResponseDto> {
    const key = parseIdempotencyKey(idempotencyKey);
    const send = () => this.verification.start(user, body, { address });
    if (key === undefined) return send();
    return this.idempotency.run(
      {
        userId: user.id,
        key,
        body,
        ttlSeconds: this.config.codeTtlSeconds,
        // A repeat waits for the first request as long as its provider call may take.
        maxWaitMs: this.config.timeoutMs + 2000,
        successStatus: HttpStatus.ACCEPTED,
      },
      send,
    );
  }

  @Post('check')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @UseGuards(PhoneNotConfirmedGuard)
  @ApiOperation({
    operationId: 'checkVerification',
    summary: 'Check the code; on success the number is confirmed and a fresh token returned',
  })
  @ApiOkResponse({ type: CheckVerificationResponseDto })
  @ApiErrorResponses([
    'UNAUTHORIZED',
    'INVALID_CODE',
    'NO_PENDING_VERIFICATION',
    'VERIFICATION_EXPIRED',
    'TOO_MANY_ATTEMPTS',
    'PHONE_ALREADY_CONFIRMED',
    'PHONE_NUMBER_TAKEN',
    'VERIFY_PROVIDER_ERROR',
    'VERIFY_PROVIDER_TIMEOUT',
  ])
  check(
    @CurrentUser() user: User,
    @CurrentSession() session: SessionContext,
    @Body() body: CheckVerificationDto,
  ): Promise<CheckVerificationResponseDto> {
    return this.verification.check(user.id, body.code, session);
  }

  @Get('status')
  @ApiOperation({
    operationId: 'getVerificationStatus',
    summary: 'The number, whether it is confirmed, and the pending verification if any',
  })
  @ApiOkResponse({ type: VerificationStatusResponseDto })
  @ApiErrorResponses(['UNAUTHORIZED'])
  status(@CurrentUser() user: User): Promise<VerificationStatusResponseDto> {
    return this.verification.status(user);
  }
}
