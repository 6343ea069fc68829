import { Body, Controller, Delete, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedSession, CurrentSession } from '../common/decorators/current-session.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { ApiErrorResponses } from '../common/dto/api-error-responses.decorator';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { User } from '../users/entities/user.entity';
import { SetPhoneNumberDto } from './dto/set-phone-number.dto';
import { PhoneVerificationService } from './phone-verification.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me/phone')
export class PhoneNumberController {
  constructor(private readonly verification: PhoneVerificationService) {}

  @Put()
  @ApiOperation({
    operationId: 'setPhoneNumber',
    summary: 'Store a phone number',
    description:
      'E.164, or a country dialing code plus the number as typed. A new number is stored unconfirmed and any ' +
      'pending verification is cancelled; the number the user already has changes nothing.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrorResponses([
    'UNAUTHORIZED',
    'REAUTHENTICATION_REQUIRED',
    'INVALID_PHONE_NUMBER',
    'COUNTRY_NOT_ALLOWED',
  ])
  async set(
    @CurrentUser() user: User,
    @CurrentSession() session: AuthenticatedSession,
    @Body() body: SetPhoneNumberDto,
  ): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.verification.setPhoneNumber(user.id, body, session));
  }

  @Delete()
  @ApiOperation({
    operationId: 'deletePhoneNumber',
    summary: 'Remove the phone number and cancel any pending verification',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrorResponses(['UNAUTHORIZED', 'REAUTHENTICATION_REQUIRED'])
  async remove(
    @CurrentUser() user: User,
    @CurrentSession() session: AuthenticatedSession,
  ): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.verification.setPhoneNumber(user.id, null, session));
  }
}
