import { PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import type { Page } from '@app/contracts';
import { AuditLog, type AuditRecord } from '@app/common';
import { get, put } from '../dynamodb/attributes.js';

const PARTITION = 'audit';

/**
 * Admin audit trail: one partition, sort key `<ISO time>#<random>` so a Query with ScanIndexForward=false lists
 * newest first. Admin changes are rare, so one partition is far below DynamoDB's per-partition limits.
 */
export class DynamoAuditLog extends AuditLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
  }

  async record(entry: AuditRecord): Promise<void> {
    const sk = `${new Date(entry.at).toISOString()}#${randomBytes(6).toString('hex')}`;
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          pk: put.s(PARTITION),
          sk: put.s(sk),
          at: put.n(entry.at),
          actor: put.s(entry.actor),
          action: put.s(entry.action),
          targetType: put.s(entry.targetType),
          targetId: put.s(entry.targetId),
          before: put.s(JSON.stringify(entry.before ?? null)),
          after: put.s(JSON.stringify(entry.after ?? null)),
        },
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
  }

  async list(limit: number, cursor: string | null): Promise<Page<AuditRecord & { id: string }>> {
    const start =
      cursor === null
        ? undefined
        : { pk: put.s(PARTITION), sk: put.s(Buffer.from(cursor, 'base64url').toString('utf8')) };
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': put.s(PARTITION) },
        ScanIndexForward: false,
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const items = (result.Items ?? []).map((item) => ({
      id: get.s(item, 'sk'),
      at: get.n(item, 'at'),
      actor: get.s(item, 'actor'),
      action: get.s(item, 'action'),
      targetType: get.s(item, 'targetType'),
      targetId: get.s(item, 'targetId'),
      before: JSON.parse(get.s(item, 'before')) as unknown,
      after: JSON.parse(get.s(item, 'after')) as unknown,
    }));
    const last = result.LastEvaluatedKey?.sk?.S;
    return { items, nextCursor: last === undefined ? null : Buffer.from(last, 'utf8').toString('base64url') };
  }
}
