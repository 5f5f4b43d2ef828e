export const NODE_FLAGS: string[];
export const NODE_ENV: Record<string, string>;
