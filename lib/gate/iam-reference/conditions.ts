import { isObject } from './policies';

/** One key tested by one operator of a statement's Condition block. */
export interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly value: unknown;
}

/** The statement's Condition block, operator by operator and key by key. */
export function conditionEntries(body: Readonly<Record<string, unknown>>): ConditionEntry[] {
  const condition = body.Condition;
  if (!isObject(condition)) return [];
  return Object.entries(condition).flatMap(([operator, keys]) =>
    isObject(keys) ? Object.entries(keys).map(([key, value]) => ({ operator, key, value })) : [],
  );
}
