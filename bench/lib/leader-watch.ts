/** Watches a cluster through `pgcluster status` while it is under load: leader changes, timelines, gaps. */
import type { BenchCluster } from './cluster';

export interface LeaderWatch {
  polls: number;
  /** Polls that answered with a primary different from the previous one. */
  leaderChanges: number;
  /** Polls that saw no primary at all (or status failed). */
  pollsWithoutPrimary: number;
  leaders: string[];
  firstTimeline: number | null;
  lastTimeline: number | null;
}

export class LeaderWatcher {
  private stopped = false;
  private loop?: Promise<void>;
  private readonly watch: LeaderWatch = {
    polls: 0,
    leaderChanges: 0,
    pollsWithoutPrimary: 0,
    leaders: [],
    firstTimeline: null,
    lastTimeline: null,
  };

  constructor(
    private readonly cluster: BenchCluster,
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let previous: string | undefined;
    while (!this.stopped) {
      const started = Date.now();
      this.watch.polls++;
      try {
        const s = await this.cluster.status();
        const primary = s.members.find((m) => m.role === 'primary');
        if (!primary) this.watch.pollsWithoutPrimary++;
        else {
          if (previous !== undefined && primary.name !== previous) this.watch.leaderChanges++;
          if (primary.name !== previous) this.watch.leaders.push(primary.name);
          previous = primary.name;
          this.watch.firstTimeline ??= primary.timeline;
          this.watch.lastTimeline = primary.timeline;
        }
      } catch {
        this.watch.pollsWithoutPrimary++;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, this.intervalMs - (Date.now() - started))));
    }
  }

  async stop(): Promise<LeaderWatch> {
    this.stopped = true;
    await this.loop;
    return this.watch;
  }
}
