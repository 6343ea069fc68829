import { ArgumentMetadata } from '@nestjs/common';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from './app-error';
import { createValidationPipe, typeFirst } from './validation';

class ExampleDto {
  @IsString()
  @MaxLength(32)
  phoneNumber: string;

  @IsInt()
  @Min(1)
  @Max(999)
  countryCode: number;
}

const metadata: ArgumentMetadata = { type: 'body', metatype: ExampleDto };

async function validationError(body: unknown): Promise<AppError> {
  try {
    await createValidationPipe().transform(body, metadata);
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a validation error');
}

describe('createValidationPipe', () => {
  it('says a missing field is required, in the VALIDATION_FAILED error', async () => {
    const error = await validationError({ countryCode: 44 });
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe('phoneNumber is required');
    expect(error.options.extra).toEqual({
      details: [{ field: 'phoneNumber', messages: ['phoneNumber is required'] }],
    });
  });

  it('leads with the type error when a value has the wrong type', async () => {
    const error = await validationError({ phoneNumber: '+447123456789', countryCode: '44' });
    expect(error.message).toBe('countryCode must be an integer number');
  });

  it('refuses unknown properties', async () => {
    const error = await validationError({ phoneNumber: '+447123456789', countryCode: 44, isAdmin: true });
    expect(error.message).toBe('property isAdmin should not exist');
  });
});

describe('typeFirst', () => {
  it('orders type checks before range and length checks', () => {
    expect(typeFirst({ max: 'too big', isInt: 'not an integer', min: 'too small' })).toEqual([
      'not an integer',
      'too big',
      'too small',
    ]);
  });
});
