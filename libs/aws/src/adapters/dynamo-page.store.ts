import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { PageStore, type StoredPage } from '@app/monitoring';
import { get, put, type Item } from '../dynamodb/attributes.js';
import { batchGet } from '../dynamodb/requests.js';
import { batchWrite } from '../dynamodb/batch-write.js';
import { TTL_ATTRIBUTE } from '../dynamodb/tables.js';

/**
 * The page's items, in the state table under a `serviceId` no service can have (ids are `[a-z0-9][a-z0-9_-]*`) and
 * keys that sort before every `day#` key, so the boot Scan's filter leaves them out (as the clean-stop record).
 */
const RUNNER = '#runner';
const HEAD_KEY = '#page';
/** Bytes of the page per item: an item holds at most 400 KB, its keys and attributes included. */
export const PAGE_PART_BYTES = 350_000;
/** At most this many items per page (5.6 MB compressed: far beyond any catalog the service limits allow). */
export const PAGE_MAX_PARTS = 16;
/**
 * The parts after the first carry the generation in their key; the page stored after them deletes them, and they
 * expire in case it could not (in AWS: the TTL; a page this old is not served anyway, StoredPageService).
 */
const PART_TTL_SECONDS = 2 * 86_400;

const partKey = (generation: string, index: number): Item => ({
  serviceId: put.s(RUNNER),
  key: put.s(`${HEAD_KEY}#${generation}#${index}`),
});

/**
 * One item (`#runner`/`#page`) holds the page's time, its generation, its length and its first 350 KB; a page
 * longer than that continues in parts keyed by the generation, written before the head item. The head is written
 * last and only over an older page, so a reader that finds it finds its parts (a single conditional write: no
 * transactions needed, and none that dynalite would lack); then the parts of the page it replaced, or its own when
 * a newer page was there, are deleted.
 */
export class DynamoPageStore extends PageStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
  }

  async load(): Promise<StoredPage | null> {
    const { Item: head } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { serviceId: put.s(RUNNER), key: put.s(HEAD_KEY) } }),
    );
    if (!head?.body?.B) return null;
    const parts = get.n(head, 'parts');
    const length = get.n(head, 'length');
    const generation = get.s(head, 'generation');
    const chunks: Uint8Array[] = [head.body.B];
    if (parts > 1) {
      const keys = Array.from({ length: parts - 1 }, (_, index) => partKey(generation, index + 1));
      const items = await batchGet(this.client, this.table, keys, 1);
      const byKey = new Map(items.map((item) => [get.s(item, 'key'), item.body?.B]));
      for (const key of keys) {
        const chunk = byKey.get(key.key!.S!);
        // A part expired or was never written whole: the page is not whole, so there is none.
        if (chunk === undefined) return null;
        chunks.push(chunk);
      }
    }
    const body = Buffer.concat(chunks);
    return body.length === length ? { at: get.n(head, 'at'), body } : null;
  }

  async save(page: StoredPage): Promise<boolean> {
    const parts = Math.max(1, Math.ceil(page.body.length / PAGE_PART_BYTES));
    if (parts > PAGE_MAX_PARTS)
      throw new Error(
        `the status page is too large to store (${page.body.length} bytes compressed, at most ${PAGE_MAX_PARTS * PAGE_PART_BYTES})`,
      );
    const generation = `${page.at}-${randomBytes(4).toString('hex')}`;
    const chunk = (index: number) => page.body.subarray(index * PAGE_PART_BYTES, (index + 1) * PAGE_PART_BYTES);
    const expiresAt = Math.floor(page.at / 1000) + PART_TTL_SECONDS;
    for (let index = 1; index < parts; index += 1)
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...partKey(generation, index), body: { B: chunk(index) }, [TTL_ATTRIBUTE]: put.n(expiresAt) },
        }),
      );
    try {
      const { Attributes: replaced } = await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            serviceId: put.s(RUNNER),
            key: put.s(HEAD_KEY),
            at: put.n(page.at),
            generation: put.s(generation),
            parts: put.n(parts),
            length: put.n(page.body.length),
            body: { B: chunk(0) },
          },
          ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': put.n(page.at) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (replaced?.generation?.S !== undefined && replaced.parts?.N !== undefined)
        await this.deleteParts(replaced.generation.S, Number(replaced.parts.N));
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await this.deleteParts(generation, parts);
      return false;
    }
  }

  /** Deletes a generation's parts after the first (left to expire when that fails). */
  private async deleteParts(generation: string, parts: number): Promise<void> {
    if (parts <= 1) return;
    const keys = Array.from({ length: parts - 1 }, (_, index) => partKey(generation, index + 1));
    await batchWrite(
      this.client,
      this.table,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    ).catch(() => undefined);
  }
}
