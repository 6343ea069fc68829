import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../error-codes';

export class FieldErrorDto {
  @ApiProperty({ example: 'password' }) field: string;
  @ApiProperty({ type: [String] }) messages: string[];
}

/**
 * The one error shape of every route. Property examples are left out on purpose: each route documents one
 * example body per code and status (ApiErrorResponses), which a generic example here would contradict.
 */
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', description: 'The HTTP status' }) statusCode: number;
  @ApiProperty({ description: 'The HTTP reason phrase, e.g. Bad Request' }) error: string;
  @ApiProperty({
    enum: Object.keys(ERROR_STATUS),
    enumName: 'ErrorCode',
    description: 'Stable: branch on it',
  })
  code: ErrorCode;
  @ApiProperty({ description: 'For people; may change' }) message: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'With VALIDATION_FAILED: one entry per field' })
  details?: FieldErrorDto[];
  @ApiPropertyOptional({
    type: 'integer',
    description: 'With INVALID_CODE: wrong codes left before the verification is cancelled',
  })
  attemptsRemaining?: number;
}
