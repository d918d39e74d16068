/**
 * Background jobs. The job record (status, progress, result, error) lives in PostgreSQL under
 * RLS; a dispatcher (BullMQ with Redis, an in-process queue otherwise) only carries
 * `{ tenantId, jobId }` and decides when to run and retry. Retries back off exponentially
 * (base x 2^(attempt-1), the guide's 60 s x 2^retries by default).
 */

import { v7 as uuidv7 } from 'uuid';
import { findJob, insertJob, setProgress, updateJob } from '../../modules/jobs/jobs.repository.ts';
import type { Db } from '../db/client.ts';
import { type TenantContext, withTenant } from '../tenancy/tenancy.ts';

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
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(private readonly db: Db) {}

  /** Registers the handler of a job type. */
  register<P>(type: string, handler: JobHandler<P>): void {
    this.handlers.set(type, handler as JobHandler);
  }

  /** Runs one attempt of a job; records the outcome; throws if the dispatcher should retry. */
  async runAttempt(ref: JobRef, attempt: number): Promise<void> {
    const job = await withTenant(this.db, ref.tenantId, (tx) => findJob(tx, ref.jobId));
    if (!job || job.status === 'completed' || job.status === 'failed') return;
    const handler = this.handlers.get(job.type);
    const mark = (patch: Parameters<typeof updateJob>[2]) =>
      withTenant(this.db, ref.tenantId, (tx) => updateJob(tx, ref.jobId, patch));
    if (!handler) {
      await mark({
        status: 'failed',
        error: `no handler for job type "${job.type}"`,
        finishedAt: new Date(),
        attempts: attempt,
      });
      return;
    }
    await mark({ status: 'running', attempts: attempt, startedAt: new Date(), error: null });
    let lastProgress = -1;
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
      await mark({
        status: 'completed',
        progress: 100,
        result: (result ?? null) as object,
        finishedAt: new Date(),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const final = error instanceof PermanentJobError || attempt >= job.maxAttempts;
      await mark(
        final
          ? { status: 'failed', error: message, finishedAt: new Date() }
          : { status: 'queued', error: message },
      );
      if (!final) throw error;
    }
  }
}

/** The application's queue: creates job records and hands them to the dispatcher. */
export class JobQueue {
  constructor(
    readonly runner: JobRunner,
    private readonly dispatcher: Dispatcher,
    private readonly db: Db,
  ) {}

  /** Registers the handler of a job type. */
  register<P>(type: string, handler: JobHandler<P>): void {
    this.runner.register(type, handler);
  }

  /** Records a queued job in the caller's tenant and dispatches it after commit. */
  async enqueue(ctx: TenantContext, type: string, payload: object, options: EnqueueOptions = {}) {
    const maxAttempts = options.maxAttempts ?? 3;
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
    await this.dispatcher.dispatch({ tenantId: ctx.tenantId, jobId: job.id }, maxAttempts);
    return job;
  }

  /** Starts consuming jobs in this process. */
  start(): Promise<void> {
    return this.dispatcher.start((ref, attempt) => this.runner.runAttempt(ref, attempt));
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
