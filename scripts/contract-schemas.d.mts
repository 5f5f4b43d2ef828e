export const OUTPUT: string;
export const RESPONSE_TYPES: string[];
export function generateContractSchemas(): Promise<string>;
