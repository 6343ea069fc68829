import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from './app-error';
import { FieldError } from './error-body';

/** Messages of type checks (`isInt`, `isString`, ...) first: a wrong type explains every other failure. */
export function typeFirst(constraints: Record<string, string>): string[] {
  const rank = (name: string) => (name.startsWith('is') ? 0 : 1);
  return Object.entries(constraints)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([, message]) => message);
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    // A missing value fails every rule of its property; the one message that helps is that it is required.
    const messages =
      error.value === undefined ? [`${field} is required`] : typeFirst(error.constraints ?? {});
    const own = error.constraints ? [{ field, messages }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Unknown properties refused, types checked, failures in the `VALIDATION_FAILED` body of docs/api.md. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const message = details[0]?.messages[0] ?? 'Invalid request';
      return new AppError('VALIDATION_FAILED', message, { extra: { details } });
    },
  });
}
