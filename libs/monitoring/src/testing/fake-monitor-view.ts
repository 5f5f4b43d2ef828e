import type { MonitoredService } from '../catalog/service-definition.js';
import type { MonitoringEvents } from '../monitoring.events.js';
import { MonitorView, type ServiceView } from '../monitor-view.js';

/**
 * The runner as other libraries see it, driven by the spec: `add` services, `transition` them (which emits the
 * state-change event as the runner does, already persisted), `hold` their state writes to test that listeners
 * wait for durable state.
 */
export class FakeMonitorView extends MonitorView {
  private readonly services = new Map<string, ServiceView>();
  private readonly writes = new Map<string, Promise<void>>();
  /** Services another replica works: this one must not act on them. */
  private readonly foreign = new Set<string>();

  constructor(private readonly events?: MonitoringEvents) {
    super();
  }

  add(service: MonitoredService, state: ServiceView['state'] = 'unknown', lastError: string | null = null): void {
    this.services.set(service.id, { service, state, lastError });
  }

  /** Replaces the definition (e.g. paused), keeping the state. */
  edit(service: MonitoredService): void {
    const current = this.services.get(service.id);
    this.services.set(service.id, {
      service,
      state: current?.state ?? 'unknown',
      lastError: current?.lastError ?? null,
    });
  }

  /** The runner's removal (deleted, or gone from the services file): gone, then a ServiceRemoved event. */
  remove(id: string, at = Date.now()): void {
    const name = this.services.get(id)?.service.name ?? id;
    this.services.delete(id);
    this.events?.emitServiceRemoved({ serviceId: id, serviceName: name, at });
  }

  /** Sets the state without an event (as after a restart, or between reconcile passes). */
  set(id: string, state: ServiceView['state'], lastError: string | null = null): void {
    const current = this.required(id);
    this.services.set(id, { ...current, state, lastError });
  }

  /** The runner's transition: new state, then a ServiceStateChanged event. */
  transition(id: string, to: ServiceView['state'], at: number, error?: string): void {
    const from = this.required(id).state;
    this.set(id, to, error ?? null);
    this.events?.emitStateChanged({
      serviceId: id,
      serviceName: this.required(id).service.name,
      from,
      to,
      at,
      check: {
        serviceId: id,
        at,
        ok: error === undefined,
        latencyMs: 40,
        ...(error === undefined ? {} : { error }),
        state: to,
        maintenance: false,
      },
      inMaintenance: false,
      persisted: this.durable(id).then(() => undefined),
    });
  }

  /** Another replica works the service from now on (`owns` false); `adopt` gives it back. */
  disown(id: string): void {
    this.foreign.add(id);
  }

  adopt(id: string): void {
    this.foreign.delete(id);
  }

  /** Holds `durable(id)` until the returned function is called (a state write in flight). */
  hold(id: string): () => void {
    let release = () => undefined as void;
    this.writes.set(id, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.writes.delete(id);
      release();
    };
  }

  find(id: string): ServiceView | undefined {
    return this.services.get(id);
  }

  list(): ServiceView[] {
    return [...this.services.values()];
  }

  owns(id: string): boolean {
    return !this.foreign.has(id);
  }

  async durable(id: string): Promise<boolean> {
    await this.writes.get(id);
    return this.owns(id);
  }

  private required(id: string): ServiceView {
    const view = this.services.get(id);
    if (!view) throw new Error(`FakeMonitorView: no service ${JSON.stringify(id)}`);
    return view;
  }
}
