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

/**
 * Writes a message that must reach the operator before (or without) Nest's logger — bad configuration, a fatal
 * start-up error — in the configured format: one JSON object per line under LOG_FORMAT=json (the text keeps its
 * line breaks inside the string), plain text otherwise. Always redacted.
 */
export function writeBootMessage(
  text: string,
  options: { json: boolean; level?: 'warn' | 'error' | 'fatal'; context?: string },
): void {
  const message = redactSecrets(text);
  if (!options.json) {
    process.stderr.write(`${message}\n`);
    return;
  }
  process.stderr.write(
    `${JSON.stringify({
      level: options.level ?? 'fatal',
      pid: process.pid,
      timestamp: Date.now(),
      context: options.context ?? 'Bootstrap',
      message,
    })}\n`,
  );
}
