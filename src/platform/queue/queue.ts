/**
 * Background jobs. The job record (status, progress, result, error) lives in PostgreSQL under
 * RLS; a dispatcher (BullMQ with Redis, an in-process queue otherwise) only carries
 * `{ tenantId, jobId }` and decides when to run and retry. A job runs up to 4 times (3
 * retries) and retries back off exponentially (base x 2^(attempt-1): the guide's
 * `countdown=60 * 2**retries`, 60 s, 120 s, 240 s by default). Each attempt is recorded on
 * the job row (`attempt_history`).
 */

import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { type Db, queryRows } from '../db/client.ts';
import { DependencyUnavailableError } from '../http/errors.ts';
import { isRedisUnavailable } from '../redis/redis.ts';
import { type TenantContext, withTenant } from '../tenancy/tenancy.ts';
import {
  type AttemptChange,
  deleteJob,
  findJob,
  insertJob,
  setProgress,
  updateJob,
} from './jobs.repository.ts';

/** Attempts of a job unless it says otherwise: the first run and 3 retries (the design guide). */
export const DEFAULT_MAX_ATTEMPTS = 4;

/** What a handler gets when its job runs. */
export interface JobRun<P = unknown> {
  tenantId: string;
  jobId: string;
  userId: string;
  payload: P;
  attempt: number;
  /** Reports progress 0-100 (stored, never decreasing). */
  progress(percent: number): Promise<void>;
}

export type JobHandler<P = unknown> = (run: JobRun<P>) => Promise<unknown>;

export interface EnqueueOptions {
  maxAttempts?: number;
}

/** A reference to dispatch: which tenant's which job. */
export interface JobRef {
  tenantId: string;
  jobId: string;
}

/** The dispatcher behind the queue: BullMQ or in-process. */
export interface Dispatcher {
  /** False while jobs cannot be queued (Redis down). */
  available(): boolean;
  dispatch(ref: JobRef, maxAttempts: number): Promise<void>;
  /** Starts consuming; `run` executes one attempt and throws to ask for a retry. */
  start(run: (ref: JobRef, attempt: number) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by a handler when retrying cannot help (bad input): the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Registry of handlers plus the attempt runner shared by every dispatcher. */
/** Called after each attempt that ran a handler (metrics). */
export type AttemptObserver = (
  type: string,
  outcome: 'completed' | 'retried' | 'failed',
  seconds: number,
) => void;

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(
    private readonly db: Db,
    private readonly observe: AttemptObserver = () => {},
  ) {}

  /** Registers the handler of a job type. */
  register<P>(type: string, handler: JobHandler<P>): void {
    this.handlers.set(type, handler as JobHandler);
  }

  /** Runs one attempt of a job; records the outcome; throws if the dispatcher should retry. */
  async runAttempt(ref: JobRef, dispatchedAttempt: number): Promise<void> {
    let attempt = dispatchedAttempt;
    const job = await withTenant(this.db, ref.tenantId, (tx) => findJob(tx, ref.jobId));
    if (!job || job.status === 'completed' || job.status === 'failed') return;
    // Still `running`: the process that ran the last attempt died (kill -9, crash) and the queue
    // detected it (BullMQ's stalled-job check). That attempt counts, and the row says so.
    let note: string | null = null;
    if (job.status === 'running') note = interruptedNote(job.attempts);
    // A retry, a stalled job or one re-dispatched after a restart: the row counts attempts.
    attempt = Math.max(attempt, job.attempts + 1);
    const handler = this.handlers.get(job.type);
    const mark = (patch: Parameters<typeof updateJob>[2], change?: AttemptChange) =>
      withTenant(this.db, ref.tenantId, (tx) => updateJob(tx, ref.jobId, patch, change));
    const finish = (outcome: 'completed' | 'retried' | 'failed', error: string | null): AttemptChange => ({
      finish: { outcome, error, finished_at: new Date().toISOString() },
    });
    // The dead attempt's entry is closed as interrupted (when it ended is not known).
    if (note)
      await mark(
        {},
        { finish: { outcome: 'interrupted', error: interruptedNote(job.attempts), finished_at: null } },
      );
    if (job.status === 'running' && job.attempts >= job.maxAttempts) {
      await mark({
        status: 'failed',
        error: `${note} and it was the last of ${job.maxAttempts}`,
        finishedAt: new Date(),
      });
      return;
    }
    if (!handler) {
      await mark({
        status: 'failed',
        error: `no handler for job type "${job.type}"`,
        finishedAt: new Date(),
        attempts: attempt,
      });
      return;
    }
    const startedAt = new Date();
    await mark(
      { status: 'running', attempts: attempt, startedAt, error: note },
      {
        start: {
          attempt,
          started_at: startedAt.toISOString(),
          finished_at: null,
          outcome: 'running',
          error: null,
        },
      },
    );
    let lastProgress = -1;
    const started = performance.now();
    const took = () => (performance.now() - started) / 1000;
    try {
      const result = await handler({
        tenantId: ref.tenantId,
        jobId: ref.jobId,
        userId: job.createdBy,
        payload: job.payload,
        attempt,
        progress: async (percent) => {
          const p = Math.max(0, Math.min(100, Math.floor(percent)));
          if (p <= lastProgress) return;
          lastProgress = p;
          await withTenant(this.db, ref.tenantId, (tx) => setProgress(tx, ref.jobId, p));
        },
      });
      await mark(
        { status: 'completed', progress: 100, result: (result ?? null) as object, finishedAt: new Date() },
        finish('completed', null),
      );
      this.observe(job.type, 'completed', took());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const final = error instanceof PermanentJobError || attempt >= job.maxAttempts;
      this.observe(job.type, final ? 'failed' : 'retried', took());
      await mark(
        final
          ? { status: 'failed', error: message, finishedAt: new Date() }
          : { status: 'queued', error: message },
        finish(final ? 'failed' : 'retried', message),
      );
      if (!final) throw error;
    }
  }
}

/** The job row's note about an attempt whose process died. */
export function interruptedNote(attempt: number): string {
  return `attempt ${attempt} was interrupted (the process running it stopped) and was retried`;
}

/** The application's queue: creates job records and hands them to the dispatcher. */
export class JobQueue {
  constructor(
    readonly runner: JobRunner,
    private readonly dispatcher: Dispatcher,
    private readonly db: Db,
    /**
     * Re-dispatch at start every job a dead process left `queued` or `running` (the in-process
     * queue on the embedded database, which one process at most has open: no live process can
     * own them). `running` ones count as an interrupted attempt (see JobRunner.runAttempt).
     */
    private readonly recoverOnStart = false,
  ) {}

  /** Registers the handler of a job type. */
  register<P>(type: string, handler: JobHandler<P>): void {
    this.runner.register(type, handler);
  }

  /** Records a queued job in the caller's tenant and dispatches it after commit. */
  async enqueue(ctx: TenantContext, type: string, payload: object, options: EnqueueOptions = {}) {
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    // Refuse before writing anything: a 503 then means nothing was committed.
    if (!this.dispatcher.available()) throw new DependencyUnavailableError('Redis', 'the job queue');
    const job = await withTenant(this.db, ctx.tenantId, (tx) =>
      insertJob(tx, {
        id: uuidv7(),
        tenantId: ctx.tenantId,
        type,
        payload,
        maxAttempts,
        createdBy: ctx.userId,
      }),
    );
    try {
      await this.dispatcher.dispatch({ tenantId: ctx.tenantId, jobId: job.id }, maxAttempts);
    } catch (error) {
      // Redis went away between the check and the dispatch: remove the row that nobody will run.
      await withTenant(this.db, ctx.tenantId, (tx) => deleteJob(tx, job.id)).catch(() => {});
      if (error instanceof DependencyUnavailableError || isRedisUnavailable(error))
        throw new DependencyUnavailableError('Redis', 'the job queue');
      throw error;
    }
    return job;
  }

  /** Starts consuming jobs in this process. */
  async start(): Promise<void> {
    await this.dispatcher.start((ref, attempt) => this.runner.runAttempt(ref, attempt));
    if (!this.recoverOnStart) return;
    // As the connection's own role: the sweep spans tenants (RLS binds only `bf_app`).
    const left = await queryRows<{ tenant_id: string; id: string; max_attempts: number }>(
      this.db,
      sql`SELECT tenant_id, id, max_attempts FROM jobs WHERE status IN ('queued', 'running') ORDER BY id`,
    );
    for (const j of left)
      await this.dispatcher.dispatch({ tenantId: j.tenant_id, jobId: j.id }, j.max_attempts);
  }

  /** Jobs queued or running, by type and status, over all tenants (metrics). */
  async depth(): Promise<{ type: string; status: string; count: number }[]> {
    // As the connection's own role, like the recovery sweep: the count spans tenants.
    const rows = await queryRows<{ type: string; status: string; n: number }>(
      this.db,
      sql`SELECT type, status, count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running') GROUP BY 1, 2`,
    );
    return rows.map((r) => ({ type: r.type, status: r.status, count: Number(r.n) }));
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
