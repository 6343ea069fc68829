import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { Channel, CHANNELS } from '../providers/verification-provider.interface';

export class StartVerificationDto {
  @ApiPropertyOptional({
    enum: CHANNELS,
    // No `default:` here: client generators would turn the optional field into a required one.
    description:
      'sms when left out; whatsapp only with Verify v2 (other providers answer CHANNEL_NOT_SUPPORTED)',
  })
  @ValidateIf((dto: StartVerificationDto) => dto.channel !== undefined)
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ example: 'en', description: 'Language of the message, e.g. en, es, pt-BR' })
  @ValidateIf((dto: StartVerificationDto) => dto.locale !== undefined)
  @IsString()
  @Matches(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, { message: 'locale must look like en, es or pt-BR' })
  locale?: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 44,
    minimum: 1,
    maximum: 999,
    description: 'Country dialing code',
  })
  @ValidateIf((dto: StartVerificationDto) => dto.countryCode !== undefined)
  @IsInt()
  @Min(1)
  @Max(999)
  countryCode?: number;

  @ApiPropertyOptional({
    example: '07123456789',
    maxLength: 32,
    description: 'Stored first, exactly as PUT /users/me/phone would; without it the stored number is used',
  })
  @ValidateIf((dto: StartVerificationDto) => dto.phoneNumber !== undefined || dto.countryCode !== undefined)
  @IsString({ message: 'phoneNumber must be a string (and is required with countryCode)' })
  @IsNotEmpty()
  @MaxLength(32)
  phoneNumber?: string;
}
