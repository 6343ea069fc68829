import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { normalizeEmail } from './register.dto';

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @Transform(normalizeEmail)
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'email must not contain control characters' })
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', maxLength: 128, format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128, { message: 'password must be at most 128 characters long' })
  password: string;
}
