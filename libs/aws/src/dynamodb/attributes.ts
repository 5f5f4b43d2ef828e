import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

/** Tiny, explicit marshalling: every stored item has a known shape, so no generic converter is needed. */
export const put = {
  s: (value: string): AttributeValue => ({ S: value }),
  n: (value: number): AttributeValue => ({ N: String(value) }),
  b: (value: boolean): AttributeValue => ({ BOOL: value }),
  ns: (values: number[]): AttributeValue => ({ L: values.map((value) => ({ N: String(value) })) }),
};

export const get = {
  s(item: Item, name: string): string {
    const value = item[name]?.S;
    if (value === undefined) throw new Error(`stored item lacks string attribute ${name}`);
    return value;
  },
  n(item: Item, name: string): number {
    const value = item[name]?.N;
    if (value === undefined) throw new Error(`stored item lacks number attribute ${name}`);
    return Number(value);
  },
  optS: (item: Item, name: string): string | undefined => item[name]?.S,
  optN: (item: Item, name: string): number | undefined =>
    item[name]?.N === undefined ? undefined : Number(item[name]?.N),
  b: (item: Item, name: string): boolean => item[name]?.BOOL === true,
  ns: (item: Item, name: string): number[] => (item[name]?.L ?? []).map((value) => Number(value.N ?? 0)),
};
