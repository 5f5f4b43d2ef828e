import { readFileSync } from 'node:fs';
import { generateContractSchemas, OUTPUT } from '../../scripts/contract-schemas.mjs';

describe('the response schemas of the OpenAPI document', () => {
  it('are generated from libs/contracts and up to date (run node scripts/contract-schemas.mjs after a change)', async () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(await generateContractSchemas());
  }, 60_000);
});
