import type { ServiceStatus } from '@app/contracts';

export interface ServiceGroup {
  readonly name: string;
  readonly services: readonly ServiceStatus[];
}

/** Groups in order of first appearance; ungrouped services share one "Services" group. */
export function groupServices(services: readonly ServiceStatus[]): ServiceGroup[] {
  const groups = new Map<string, ServiceStatus[]>();
  for (const service of services) {
    const name = service.group ?? 'Services';
    const members = groups.get(name);
    if (members === undefined) groups.set(name, [service]);
    else members.push(service);
  }
  return [...groups].map(([name, members]) => ({ name, services: members }));
}
