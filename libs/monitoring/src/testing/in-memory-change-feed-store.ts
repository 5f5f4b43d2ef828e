import { ChangeFeedStore, type FeedEntry } from '../cluster/cluster.ports.js';

/** ChangeFeedStore with the adapter's semantics: entries sorted by key, copies in and out, `down` fails every call. */
export class InMemoryChangeFeedStore extends ChangeFeedStore {
  readonly entries: FeedEntry[] = [];
  down = false;
  reads = 0;

  append(entry: FeedEntry): Promise<void> {
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8000'));
    this.entries.push(structuredClone(entry));
    this.entries.sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    return Promise.resolve();
  }

  readAfter(afterSk: string): Promise<FeedEntry[]> {
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8000'));
    this.reads += 1;
    return Promise.resolve(this.entries.filter((entry) => entry.sk > afterSk).map((entry) => structuredClone(entry)));
  }
}
