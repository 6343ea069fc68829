import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';
import { canonicalizeEmail } from '../../users/email';

/** Turns the email into its canonical form, or leaves it as sent when it cannot be (the validator says why). */
const toCanonicalEmail = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? (canonicalizeEmail(value).email ?? value) : value;

/** Refuses an email that has no canonical form, with the reason (invisible characters, look-alike forms). */
function IsCanonicalEmail(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCanonicalEmail',
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'string' || canonicalizeEmail(value).refusal === undefined,
        defaultMessage: (args) =>
          typeof args?.value === 'string'
            ? (canonicalizeEmail(args.value).refusal ?? 'email is invalid')
            : 'email is invalid',
      },
    },
    options,
  );
}

/** Compares and stores emails in one form: see `canonicalizeEmail`. */
export function CanonicalEmail(): PropertyDecorator {
  return applyDecorators(Transform(toCanonicalEmail), IsCanonicalEmail());
}
