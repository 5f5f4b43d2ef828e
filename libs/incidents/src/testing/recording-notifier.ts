import {
  isIncidentNotification,
  Notifier,
  type IncidentNotification,
  type Notification,
  type NotificationChannel,
} from '../notify/notifier.js';
import { acceptsForVisitors } from '../notify/visitor-render.js';

/**
 * Records every accepted send; can be told to fail the next N sends or to hang forever. An on-call channel by
 * default (incident notifications; `sent`); `visitors` makes it take what the subscribers channel takes (`all`).
 */
export class RecordingNotifier extends Notifier {
  readonly sent: IncidentNotification[] = [];
  readonly all: Notification[] = [];
  attempts = 0;
  failNext = 0;
  hang = false;

  constructor(
    readonly channel: NotificationChannel,
    private readonly visitors = false,
  ) {
    super();
  }

  override accepts(notification: Notification): boolean {
    return this.visitors ? acceptsForVisitors(notification) : super.accepts(notification);
  }

  send(notification: Notification): Promise<void> {
    this.attempts += 1;
    if (this.hang) return new Promise<void>(() => undefined);
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error(`${this.channel} answered 500`));
    }
    this.all.push(notification);
    if (isIncidentNotification(notification)) this.sent.push(notification);
    return Promise.resolve();
  }
}
