import { Notifier, type IncidentNotification, type NotificationChannel } from '../notify/notifier.js';

/** Records every accepted send; can be told to fail the next N sends or to hang forever. */
export class RecordingNotifier extends Notifier {
  readonly sent: IncidentNotification[] = [];
  attempts = 0;
  failNext = 0;
  hang = false;

  constructor(readonly channel: NotificationChannel) {
    super();
  }

  send(notification: IncidentNotification): Promise<void> {
    this.attempts += 1;
    if (this.hang) return new Promise<void>(() => undefined);
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error(`${this.channel} answered 500`));
    }
    this.sent.push(notification);
    return Promise.resolve();
  }
}
