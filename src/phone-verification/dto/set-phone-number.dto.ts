import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

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

  @ApiPropertyOptional({ example: 44, minimum: 1, maximum: 999, description: 'Country dialing code' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(999)
  countryCode?: number;
}
