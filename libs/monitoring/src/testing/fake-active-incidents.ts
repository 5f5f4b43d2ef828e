import type { IncidentSummary } from '@app/contracts';
import { ActiveIncidents } from '../status/active-incidents.js';

/** ActiveIncidents a spec fills directly; `bump()` announces a change as the real cache does on every put. */
export class FakeActiveIncidents extends ActiveIncidents {
  incidents: IncidentSummary[] = [];
  private counter = 0;

  list(): IncidentSummary[] {
    return this.incidents;
  }

  get version(): number {
    return this.counter;
  }

  bump(): void {
    this.counter += 1;
  }
}
