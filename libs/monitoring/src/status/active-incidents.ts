import type { IncidentSummary } from '@app/contracts';

/** Port: the open incidents the status page shows (the incidents library's IncidentCache; none until wired). */
export abstract class ActiveIncidents {
  abstract list(): IncidentSummary[];
  /** Bumped when incidents change, so the snapshot knows to rebuild. */
  abstract get version(): number;
}

export class NoActiveIncidents extends ActiveIncidents {
  list(): IncidentSummary[] {
    return [];
  }
  get version(): number {
    return 0;
  }
}
