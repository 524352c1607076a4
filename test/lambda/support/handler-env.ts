/** One console line a handler wrote. */
export interface LoggedLine {
  readonly level: 'log' | 'warn' | 'error';
  readonly text: string;
}

/** Captures console.log/warn/error into a fresh list (restore with jest.restoreAllMocks()). */
export function captureConsole(): LoggedLine[] {
  const logged: LoggedLine[] = [];
  for (const level of ['log', 'warn', 'error'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push({ level, text: args.map(String).join(' ') });
    });
  }
  return logged;
}

/** Sets exactly `values` among the handler's variables `names` (the others removed). */
export function setHandlerEnv(names: readonly string[], values: Record<string, string>): void {
  for (const name of names) delete process.env[name];
  Object.assign(process.env, values);
}
