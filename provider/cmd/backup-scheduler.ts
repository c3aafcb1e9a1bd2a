/**
 * The backup scheduler daemon of one local cluster (started by platform/local/scheduler.ts):
 *   node backup-scheduler.js <cluster dir>
 * It reads <cluster dir>/pgbackrest/scheduler.json, schedules each type's cron expression with
 * croner, and runs the same `takeBackup` as `pgcluster backup`, one backup at a time (a full one
 * first when two fall due together). Each run writes one line to its log. SIGTERM stops it after
 * the backup in progress, if any.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { BACKUP_TYPES, type BackupType } from '../spec/backup';
import { takeBackup } from '../actions/backup';
import type { SchedulerConfig } from '../platform/local/scheduler';
import { LocalPlatform } from '../platform/local';

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} scheduler[${process.pid}]: ${message}\n`);
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: backup-scheduler.js <cluster dir>');
  const config = JSON.parse(
    readFileSync(join(dir, 'pgbackrest', 'scheduler.json'), 'utf8'),
  ) as SchedulerConfig;
  const platform = new LocalPlatform(config.stateDir);
  const due: BackupType[] = [];
  let running: Promise<void> | undefined;
  let stopping = false;

  const drain = async () => {
    while (due.length > 0 && !stopping) {
      due.sort((a, b) => BACKUP_TYPES.indexOf(a) - BACKUP_TYPES.indexOf(b));
      const type = due.shift() as BackupType;
      due.length = 0; // a full backup covers a diff or incr that fell due with it
      try {
        const spec = (await platform.runtime(config.name)).spec;
        if (!spec) throw new Error(`cluster ${config.name} is gone`);
        const access = await platform.access(config.name);
        await takeBackup(spec, access, type, { step: log, done: log });
      } catch (e) {
        log(`scheduled ${type} backup failed: ${(e as Error).message.replace(/\n/g, ' ')}`);
      }
    }
  };

  const jobs = (Object.entries(config.schedule) as Array<[BackupType, string]>).map(
    ([type, expression]) =>
      new Cron(expression, { protect: false }, () => {
        if (!due.includes(type)) due.push(type);
        running ??= drain().finally(() => (running = undefined));
      }),
  );
  for (const job of jobs) log(`${job.getPattern()}: next ${job.nextRun()?.toISOString() ?? 'never'}`);
  const stop = async () => {
    stopping = true;
    for (const job of jobs) job.stop();
    await running;
    log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((e) => {
  log(`cannot start: ${(e as Error).message}`);
  process.exit(1);
});
