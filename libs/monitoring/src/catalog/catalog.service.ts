import { Inject, Injectable, Logger } from '@nestjs/common';
import { CatalogStore } from '../ports.js';
import type { MonitoredService } from './service-definition.js';

export const CONFIG_SERVICES = Symbol('CONFIG_SERVICES');

/**
 * The service catalog: services from the file (read-only at run time, `source: "config"`) merged with services
 * created through the admin API and stored in the database (`source: "api"`). The file wins on an id clash.
 */
@Injectable()
export class CatalogService {
  private readonly logger = new Logger('Catalog');

  constructor(
    @Inject(CONFIG_SERVICES) private readonly configServices: MonitoredService[],
    private readonly store: CatalogStore,
  ) {}

  async load(): Promise<MonitoredService[]> {
    const stored = await this.store.list();
    const fromFile = new Set(this.configServices.map((service) => service.id));
    const merged = [...this.configServices];
    for (const service of stored) {
      if (fromFile.has(service.id)) {
        this.logger.warn(`stored service ${JSON.stringify(service.id)} is shadowed by the services file`);
        continue;
      }
      merged.push(service);
    }
    return merged;
  }

  isFromConfig(id: string): boolean {
    return this.configServices.some((service) => service.id === id);
  }
}
