import type { DestinationStream } from 'pino';
import type { MessageFormatFunc } from 'pino-pretty';

/** How the development provider's line with a code begins: shown highlighted, so that it cannot be missed. */
export const DEV_CODE_PREFIX = 'verification code for ';
const DEV_CODE_CONTEXT = 'LogVerificationProvider';

type Colors = Parameters<MessageFormatFunc>[3]['colors'];

interface RequestLine {
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/**
 * One readable line per record: `[Context] message`, requests as `POST /auth/login 401 12ms`, and the code of
 * the development provider on a highlighted line of its own.
 */
export function formatPrettyMessage(
  log: Record<string, unknown>,
  messageKey: string,
  colors: Colors,
): string {
  const message = String(log[messageKey] ?? log.event ?? '');
  if (log.context === DEV_CODE_CONTEXT && message.startsWith(DEV_CODE_PREFIX)) {
    // The arrow marks it without colours too (output piped to a file or another program).
    return colors.bgYellow(colors.black(colors.bold(`▶ ${message} `)));
  }
  const { req, res, responseTime } = log as RequestLine;
  if (req?.method && res?.statusCode !== undefined) {
    const took = typeof responseTime === 'number' ? ` ${responseTime}ms` : '';
    return `${req.method} ${req.url ?? ''} ${res.statusCode}${took}`;
  }
  return typeof log.context === 'string' ? `${colors.cyan(`[${log.context}]`)} ${message}` : message;
}

/** pino-pretty, in-process and synchronous: for a person at a terminal, so lines appear as they happen. */
export function prettyStream(colorize: boolean): DestinationStream {
  // Loaded here, with LOG_FORMAT=pretty only: JSON logs (production) do not load pino-pretty at start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pinoPretty = require('pino-pretty') as typeof import('pino-pretty');
  return pinoPretty({
    sync: true,
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime,reqId,event',
    messageFormat: (log, messageKey, _level, { colors }) => formatPrettyMessage(log, messageKey, colors),
    singleLine: false,
  });
}
