/**
 * How actions tell a person what they do: steps with elapsed time, and one closing sentence.
 * The CLI prints to stderr; Pulumi adapters route it to pulumi.log.
 */
export interface Reporter {
  step(message: string): void;
  done(summary: string): void;
}

export const silentReporter: Reporter = { step: () => undefined, done: () => undefined };

export function consoleReporter(
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Reporter {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  return {
    step: (message) => write(`[${elapsed()}] ${message}`),
    done: (summary) => write(`[${elapsed()}] ${summary}`),
  };
}
