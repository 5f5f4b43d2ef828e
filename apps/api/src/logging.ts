import { formatWithOptions } from 'node:util';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { OperatorError, redactSecrets } from '@app/common';

/**
 * Nest's console logger with every message, stack and parameter passed through redactSecrets: a secret that slips
 * into any log line (a webhook in an error, a token pasted into a setting) is masked at the one place all lines
 * pass, text or JSON.
 */
export class RedactingLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    // Nest reports a start-up failure before rethrowing it to main.ts, which prints it again. An OperatorError
    // already says what to do in one line: once is enough (other errors keep Nest's report with the stack).
    if (message instanceof OperatorError && rest.at(-1) === 'ExceptionHandler') return;
    super.error(message, ...rest);
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    super.printMessages(
      messages.map(redactDeep),
      context,
      logLevel,
      writeStreamType,
      typeof errorStack === 'string' ? redactSecrets(errorStack) : errorStack,
      params,
    );
  }
}

function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value instanceof Error) {
    const copy = new Error(redactSecrets(value.message));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : redactSecrets(value.stack);
    return copy;
  }
  return value;
}

type JsonLevel = 'debug' | 'log' | 'warn' | 'error' | 'fatal';

/** What each console method becomes in a JSON line, and the stream it goes to (as Nest's logger chooses). */
const CONSOLE_METHODS = {
  debug: { level: 'debug', stream: 'stdout' },
  info: { level: 'log', stream: 'stdout' },
  log: { level: 'log', stream: 'stdout' },
  warn: { level: 'warn', stream: 'stderr' },
  error: { level: 'error', stream: 'stderr' },
} as const;

/**
 * Under LOG_FORMAT=json, lines that libraries print with console.* themselves (the cron package's "[Cron] Missed
 * execution deadline …" when the event loop was held up, anything else a dependency may print) become one JSON object
 * per line like the app's own, redacted, with the `[Name]` prefix such lines carry as their context ("Console"
 * without one): a raw text line would break the journal's JSON and its export to CloudWatch. Nest's own logger
 * writes to the streams, not through console, so nothing is wrapped twice.
 */
export function routeConsoleToJson(target: Console = console): void {
  for (const [method, { level, stream }] of Object.entries(CONSOLE_METHODS)) {
    target[method as keyof typeof CONSOLE_METHODS] = (...args: unknown[]) => {
      const text = formatWithOptions({ breakLength: Infinity }, ...args);
      const prefixed = /^\[([A-Za-z][\w .-]{0,40})\]\s*/.exec(text);
      writeBootMessage(prefixed ? text.slice(prefixed[0].length) : text, {
        json: true,
        level,
        stream,
        context: prefixed?.[1] ?? 'Console',
      });
    };
  }
}

/**
 * Writes a message that must reach the operator before (or without) Nest's logger — bad configuration, a fatal
 * start-up error — in the configured format: one JSON object per line under LOG_FORMAT=json (the text keeps its
 * line breaks inside the string), plain text otherwise. Always redacted.
 */
export function writeBootMessage(
  text: string,
  options: { json: boolean; level?: JsonLevel; context?: string; stream?: 'stdout' | 'stderr' },
): void {
  const message = redactSecrets(text);
  const stream = process[options.stream ?? 'stderr'];
  if (!options.json) {
    stream.write(`${message}\n`);
    return;
  }
  stream.write(
    `${JSON.stringify({
      level: options.level ?? 'fatal',
      pid: process.pid,
      timestamp: Date.now(),
      context: options.context ?? 'Bootstrap',
      message,
    })}\n`,
  );
}
