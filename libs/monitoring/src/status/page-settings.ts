import type { PageInfo } from '@app/contracts';

export const DEFAULT_PAGE_INFO: PageInfo = {
  title: 'CloudOps Status',
  logoUrl: null,
  colors: { accent: null, accentDark: null },
  links: [],
  supportUrl: null,
  subscriptions: false,
};

/** How the page orders what it lists: groups first (named order, then first appearance), services within them. */
export interface DisplayOrder {
  /** Group names in the order the page shows them; groups not named follow in order of first appearance. */
  groups: readonly string[];
  /** Service ids shown first, in this order; the rest follow in the services file's order, then API services by name. */
  services: readonly string[];
}

/**
 * The page's branding and display order, as configured (services file `page:` section) and as the catalog's file
 * order stands: set at boot and on every reload of the file. The status snapshot includes the branding and sorts by
 * the order; `version` tells it when to rebuild.
 */
export class PageSettings {
  version = 0;
  private info: PageInfo = DEFAULT_PAGE_INFO;
  private order: DisplayOrder = { groups: [], services: [] };
  private fileOrder: readonly string[] = [];

  constructor(info: PageInfo = DEFAULT_PAGE_INFO, order: DisplayOrder = { groups: [], services: [] }) {
    this.set(info, order);
  }

  get page(): PageInfo {
    return this.info;
  }

  set(info: PageInfo, order: DisplayOrder): void {
    this.info = info;
    this.order = order;
    this.version += 1;
  }

  /** The services file's ids in file order (the default display order), kept current by the catalog. */
  setFileOrder(ids: readonly string[]): void {
    this.fileOrder = ids;
    this.version += 1;
  }

  /** Services in display order: grouped by the group order, each group by the service order. */
  sort<T extends { id: string; name: string; group?: string | null }>(services: readonly T[]): T[] {
    const explicit = new Map(this.order.services.map((id, index) => [id, index]));
    const file = new Map(this.fileOrder.map((id, index) => [id, index]));
    const rank = (service: T): [number, number, string] => {
      const named = explicit.get(service.id);
      if (named !== undefined) return [0, named, ''];
      const inFile = file.get(service.id);
      if (inFile !== undefined) return [1, inFile, ''];
      return [2, 0, service.name.toLowerCase()];
    };
    const byService = [...services].sort((a, b) => {
      const [ta, ia, na] = rank(a);
      const [tb, ib, nb] = rank(b);
      return ta - tb || ia - ib || na.localeCompare(nb) || a.id.localeCompare(b.id);
    });
    const groupRank = new Map(this.order.groups.map((name, index) => [name, index]));
    for (const service of byService) {
      const key = service.group ?? '';
      if (!groupRank.has(key)) groupRank.set(key, groupRank.size + this.order.groups.length);
    }
    const position = new Map(byService.map((service, index) => [service, index]));
    return byService.sort(
      (a, b) =>
        (groupRank.get(a.group ?? '') ?? 0) - (groupRank.get(b.group ?? '') ?? 0) ||
        (position.get(a) ?? 0) - (position.get(b) ?? 0),
    );
  }
}
