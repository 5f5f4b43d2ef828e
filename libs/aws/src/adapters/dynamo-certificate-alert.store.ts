import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CertificateAlertStore, type CertificateAlertMark } from '@app/incidents';
import { get, put } from '../dynamodb/attributes.js';

const KEY = 'cert-alert';

/** The certificate alert mark: one `cert-alert` item per service in the state table (removed with the service). */
export class DynamoCertificateAlertStore extends CertificateAlertStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
  }

  async get(serviceId: string): Promise<CertificateAlertMark | null> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { serviceId: put.s(serviceId), key: put.s(KEY) },
        ConsistentRead: true,
      }),
    );
    return item ? { notAfter: get.n(item, 'notAfter'), threshold: get.n(item, 'threshold') } : null;
  }

  async save(serviceId: string, mark: CertificateAlertMark): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          serviceId: put.s(serviceId),
          key: put.s(KEY),
          notAfter: put.n(mark.notAfter),
          threshold: put.n(mark.threshold),
        },
      }),
    );
  }
}
