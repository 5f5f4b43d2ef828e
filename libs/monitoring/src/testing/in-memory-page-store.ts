import { PageStore, type StoredPage } from '../ports.js';

/** PageStore in memory, with the adapter's rule: the newer page wins. */
export class InMemoryPageStore extends PageStore {
  page: StoredPage | null = null;
  saves = 0;

  load(): Promise<StoredPage | null> {
    return Promise.resolve(this.page);
  }

  save(page: StoredPage): Promise<boolean> {
    if (this.page !== null && this.page.at >= page.at) return Promise.resolve(false);
    this.page = page;
    this.saves += 1;
    return Promise.resolve(true);
  }
}
