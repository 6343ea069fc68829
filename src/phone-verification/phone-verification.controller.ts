import { Body, Controller, Get, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  constructor(private readonly verification: PhoneVerificationService) {}

  @Post('start')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(PhoneNotConfirmedGuard)
  @ApiOperation({
    operationId: 'startVerification',
    summary: 'Send a code (again) to the stored number, or to the number given here',
    description: 'Calling start again re-sends a code; the wrong-code count is kept.',
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
  ])
  start(
    @CurrentUser() user: User,
    @Body() body: StartVerificationDto,
  ): Promise<StartVerificationResponseDto> {
    return this.verification.start(user, body);
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
