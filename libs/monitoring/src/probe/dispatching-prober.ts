import type { CheckKind } from '@app/contracts';
import { Prober, type ProbeResult, type ProbeTarget } from './prober.js';

/** The Prober the runner uses: one prober per check kind, picked by the target's kind. */
export class DispatchingProber extends Prober {
  constructor(private readonly probers: Record<CheckKind, Prober>) {
    super();
  }

  probe(target: ProbeTarget): Promise<ProbeResult> {
    return this.probers[target.check.kind].probe(target);
  }
}
