import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { CanonicalEmail } from './email.decorators';

export class RegisterDto {
  @ApiProperty({
    example: 'ada@example.com',
    maxLength: 254,
    description:
      'Stored trimmed, in Unicode NFC, with the local part lower-cased and the domain in lower-case ASCII (IDNA). ' +
      'Invisible and control characters are refused.',
  })
  @CanonicalEmail()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @Length(8, 128, { message: 'password must be 8 to 128 characters long' })
  password: string;
}
