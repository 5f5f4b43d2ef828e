import { Injectable, signal } from '@angular/core';

/** Success messages ("Service shop created") shown in the console's status region and read by screen readers. */
@Injectable()
export class Announcer {
  private next = 0;
  readonly message = signal<{ readonly id: number; readonly text: string } | null>(null);

  announce(text: string): void {
    this.next += 1;
    this.message.set({ id: this.next, text });
  }

  clear(): void {
    this.message.set(null);
  }
}
