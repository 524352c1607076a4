/**
 * The part of Node's built-in SQLite module (node:sqlite, Node >= 22.13 without a
 * flag; the host runs Node 24) that the spend meter uses. The repository's
 * @types/node is Node 20's, which has none.
 */
declare module 'node:sqlite' {
  type SQLInputValue = null | number | bigint | string | Uint8Array;
  type SQLOutputValue = null | number | bigint | string | Uint8Array;

  interface StatementSync {
    all(...params: SQLInputValue[]): Record<string, SQLOutputValue>[];
    get(...params: SQLInputValue[]): Record<string, SQLOutputValue> | undefined;
    run(...params: SQLInputValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  }

  interface DatabaseSyncOptions {
    open?: boolean;
    readOnly?: boolean;
    /** Busy timeout, ms. */
    timeout?: number;
    enableForeignKeyConstraints?: boolean;
  }

  class DatabaseSync {
    constructor(path: string | URL | Uint8Array, options?: DatabaseSyncOptions);
    prepare(sql: string): StatementSync;
    exec(sql: string): void;
    close(): void;
  }
}
