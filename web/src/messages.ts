/** What the client knows of a failed call: the error body's `code` and what helps say what to do next. */
export interface ErrorFacts {
  code: string;
  status?: number;
  retryAfterSeconds?: number;
  attemptsRemaining?: number;
}

/** A failure to reach the service at all (no answer, or an answer that is not the API's error body). */
export const NETWORK_ERROR = 'NETWORK_ERROR';

/** "in 45 seconds", "in 3 minutes", "in 2 hours": when a limit lifts, rounded up. */
export function waitPhrase(seconds: number): string {
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
  if (seconds < 60) return `in ${plural(Math.max(1, Math.ceil(seconds)), 'second')}`;
  if (seconds < 3600) return `in ${plural(Math.ceil(seconds / 60), 'minute')}`;
  return `in ${plural(Math.ceil(seconds / 3600), 'hour')}`;
}

function tryAgain(facts: ErrorFacts, otherwise = 'Please try again later.'): string {
  return facts.retryAfterSeconds === undefined
    ? otherwise
    : `You can try again ${waitPhrase(facts.retryAfterSeconds)}.`;
}

function attemptsLeft(count: number): string {
  return count === 1 ? 'You have 1 attempt left.' : `You have ${count} attempts left.`;
}

/** Every error `code` of the API as a sentence a person can act on. */
const SENTENCES: Record<string, (facts: ErrorFacts) => string> = {
  VALIDATION_FAILED: () => 'Some of the details are not valid. Check the highlighted fields.',
  UNAUTHORIZED: () => 'Your session has ended. Please log in again.',
  FORBIDDEN: () => 'You are not allowed to do that.',
  NOT_FOUND: () => 'This part of the service is not available.',
  METHOD_NOT_ALLOWED: () => 'This part of the service is not available.',
  PAYLOAD_TOO_LARGE: () => 'What you entered is too long.',
  UNSUPPORTED_MEDIA_TYPE: () => 'The request could not be understood. Reload the page and try again.',
  RATE_LIMITED: (facts) => `Too many attempts. ${tryAgain(facts)}`,
  INTERNAL_ERROR: () => 'Something went wrong on our side. Please try again.',
  SERVICE_UNAVAILABLE: (facts) => `The service is unavailable at the moment. ${tryAgain(facts)}`,

  EMAIL_TAKEN: () => 'An account with this email address already exists. Log in instead.',
  INVALID_CREDENTIALS: () => 'The email address or password is not right.',
  INVALID_REFRESH_TOKEN: () => 'Your session has ended. Please log in again.',
  REAUTHENTICATION_REQUIRED: () => 'For your security, enter your password again to continue.',

  INVALID_PHONE_NUMBER: () =>
    'This is not a mobile or landline number we can send a code to. Check the country and the number.',
  COUNTRY_NOT_ALLOWED: () => 'Numbers from this country cannot be verified here.',
  PHONE_NUMBER_REQUIRED: () => 'Enter your phone number first.',
  CHANNEL_NOT_SUPPORTED: () =>
    'We cannot send a code to this number that way. Choose another way to receive it.',
  DESTINATION_BLOCKED: () => 'We cannot send codes to this number at the moment. Use a different number.',
  PHONE_ALREADY_CONFIRMED: () => 'Your phone number is already confirmed.',
  PHONE_NUMBER_TAKEN: () =>
    'The code is right, but this number is already confirmed on another account. Use a different number.',
  RESEND_TOO_SOON: (facts) =>
    `A code was sent a moment ago. You can ask for a new one ${waitPhrase(facts.retryAfterSeconds ?? 30)}.`,
  SEND_LIMIT_REACHED: (facts) => `Too many codes were sent to this number. ${tryAgain(facts)}`,
  VERIFY_BUDGET_EXHAUSTED: (facts) => `We cannot send codes right now. ${tryAgain(facts)}`,
  IDEMPOTENCY_KEY_REUSED: () => 'This request was already sent with different details. Please try again.',
  INVALID_CODE: (facts) =>
    facts.attemptsRemaining === 0
      ? 'That code is not right, and that was the last attempt. Ask for a new code.'
      : `That code is not right. ${facts.attemptsRemaining === undefined ? 'Check it and try again.' : attemptsLeft(facts.attemptsRemaining)}`,
  NO_PENDING_VERIFICATION: () => 'There is no code waiting to be entered. Ask for a new code.',
  VERIFICATION_EXPIRED: () => 'This code has expired. Ask for a new code.',
  TOO_MANY_ATTEMPTS: (facts) =>
    facts.retryAfterSeconds === undefined
      ? 'Too many wrong codes. This code no longer works: ask for a new one.'
      : `Too many wrong codes. You can try again ${waitPhrase(facts.retryAfterSeconds)}.`,
  VERIFY_PROVIDER_ERROR: () => 'We could not send or check the code just now. Please try again.',
  VERIFY_PROVIDER_TIMEOUT: () => 'Sending or checking the code took too long. Please try again.',

  [NETWORK_ERROR]: () => 'The service could not be reached. Check your connection and try again.',
};

/** The error codes the client has a sentence for. */
export const KNOWN_ERROR_CODES: readonly string[] = Object.keys(SENTENCES);

export function errorSentence(facts: ErrorFacts): string {
  const sentence = SENTENCES[facts.code];
  if (sentence) return sentence(facts);
  return facts.status !== undefined && facts.status >= 500
    ? SENTENCES.INTERNAL_ERROR(facts)
    : 'Something went wrong. Please try again.';
}
