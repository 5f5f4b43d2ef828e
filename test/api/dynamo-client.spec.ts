import { jest } from '@jest/globals';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

describe("the app's DynamoDB client", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('resolves the middleware stack of a command once, not on every send (cacheMiddleware)', async () => {
    const client = t.app.get(DynamoDBClient);
    const resolve = jest.spyOn(GetItemCommand.prototype, 'resolveMiddleware');
    try {
      const key = { serviceId: { S: 'nobody' }, key: { S: 'state' } };
      for (let index = 0; index < 3; index += 1)
        await client.send(new GetItemCommand({ TableName: `${t.tablePrefix}state`, Key: key }));
      // At most the first send resolves it (the app may have sent a GetItem already).
      expect(resolve.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      resolve.mockRestore();
    }
  });
});
