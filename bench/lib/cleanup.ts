/**
 * Cleanup that runs whatever happens: from the benches' finally blocks, and on SIGINT/SIGTERM.
 * Tasks run newest first (a cluster is destroyed before its temp dir is removed).
 */
type Task = { label: string; run: () => unknown };

const tasks: Task[] = [];

/** Registers a cleanup task; call the returned function once the task has been done by hand. */
export function onCleanup(label: string, run: () => unknown): () => void {
  const task = { label, run };
  tasks.push(task);
  return () => {
    const i = tasks.indexOf(task);
    if (i >= 0) tasks.splice(i, 1);
  };
}

export async function runCleanups(): Promise<void> {
  for (let task = tasks.pop(); task; task = tasks.pop()) {
    try {
      await task.run();
    } catch (e) {
      console.error(`cleanup "${task.label}" failed: ${(e as Error).message}`);
    }
  }
}

/** Ctrl-C or a kill during a bench still destroys its clusters and stops its processes. */
export function cleanupOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: destroying the bench clusters and stopping its processes`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
}

/** Runs a bench's main: exits with its code, or runs the cleanups and exits 1 when it throws. */
export function runBench(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    async (e) => {
      console.error(`bench failed: ${(e as Error).stack ?? e}`);
      await runCleanups();
      process.exit(1);
    },
  );
}
