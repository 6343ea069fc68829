import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';

export class SetPhoneNumberDto {
  @ApiProperty({
    example: '+447123456789',
    maxLength: 32,
    description: 'E.164 with a leading +, or the number as a person types it when countryCode is given',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  phoneNumber: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 44,
    minimum: 1,
    maximum: 999,
    description: 'Country dialing code',
  })
  @ValidateIf((dto: SetPhoneNumberDto) => dto.countryCode !== undefined)
  @IsInt()
  @Min(1)
  @Max(999)
  countryCode?: number;
}
