import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { TimeView } from '../shared/time';

/** One entry of an incident's or a maintenance window's timeline, already labelled for display. */
export interface UpdateView {
  readonly label: string;
  readonly message: string;
  readonly at: string;
}

/** The "Updates" timeline of the incident and maintenance pages, in the order given (newest first). */
@Component({
  selector: 'app-incident-updates',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [TimeView],
  template: `
    <section aria-labelledby="updates-title">
      <h2 id="updates-title">Updates</h2>
      <ol class="timeline">
        @for (update of updates(); track $index) {
          <li>
            <p class="update-status">{{ update.label }}</p>
            <p class="message">{{ update.message }}</p>
            <p class="when"><app-time [at]="update.at" [seconds]="true" /></p>
          </li>
        }
      </ol>
    </section>
  `,
  styles: `
    :host {
      display: block;
    }
    h2 {
      margin: 1.5rem 0 0.5rem;
      font-size: 1.0625rem;
    }
    .timeline {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .timeline li {
      padding: 0.75rem 0 0.75rem 1rem;
      border-left: 3px solid var(--border);
    }
    .timeline li + li {
      margin-top: 0.25rem;
    }
    .timeline p {
      margin: 0;
    }
    .update-status {
      font-weight: 650;
    }
    .message {
      white-space: pre-line;
    }
    .when {
      color: var(--muted);
      font-size: 0.8125rem;
      font-variant-numeric: tabular-nums;
    }
  `,
})
export class IncidentUpdates {
  readonly updates = input.required<readonly UpdateView[]>();
}
