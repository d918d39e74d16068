/**
 * Uploaded actuals files kept for audit and re-import (docs/storage.md), on the database store
 * (each backend) and on S3 (a real s3rver on a random port): the file of a batch downloads byte
 * for byte over a real socket with its SHA-256, lists with its batch, re-imports under its batch
 * key, and is kept for job imports too; a rejected import keeps nothing; another tenant gets 404
 * for the batch's file and its re-import and sees none of the files.
 */
import { createHash } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { listenTestApp, newTenant, startTestApp, type TestApp, waitForJob } from './helpers/app.ts';
import { type Backend, backends } from './helpers/databases.ts';
import { startS3, type TestS3 } from './helpers/s3-server.ts';

const HEADER = 'period,gl_account,department,cost_centre,category,amount,currency,description';
const CSV = `${HEADER}\n2026-01,4000,D1,CC1,opex,"1,234.50",USD,rent\n2026-02,4100,D1,CC1,opex,99.99,USD,café\n`;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

const cases: [Backend, 'db' | 's3'][] = [
  ...backends().map((b): [Backend, 'db' | 's3'] => [b, 'db']),
  [backends()[0]!, 's3'],
];

describe.each(cases)('kept actuals uploads on %s, STORAGE=%s', (backend, storage) => {
  let t: TestApp;
  let s3: TestS3 | undefined;
  let api: string;
  let tokenA: string;
  let tokenB: string;
  let batchId: string;

  beforeAll(async () => {
    if (storage === 's3') s3 = await startS3();
    t = await startTestApp(backend, s3?.env ?? {});
    api = (await listenTestApp(t)).api;
    tokenA = await t.token(newTenant());
    tokenB = await t.token(newTenant());
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  const upload = (query: string, body: string, token = tokenA) =>
    t.app.inject({
      method: 'POST',
      url: `${API_PREFIX}/actuals/imports?${query}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      payload: body,
    });
  const download = (id: string, token = tokenA) =>
    fetch(`${api}/actuals/batches/${id}/file`, { headers: { authorization: `Bearer ${token}` } });
  const objects = async () => {
    if (!s3) return 0;
    const client = new S3Client({
      ...s3.settings,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const out = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    client.destroy();
    return out.KeyCount ?? 0;
  };

  it('keeps the file of an inline import and serves it byte for byte over a real socket', async () => {
    const res = await upload('batch_key=jan-feb&file_name=ledger%20jan.csv', CSV);
    expect(res.statusCode, res.body).toBe(201);
    batchId = res.json().batch_id;
    const file = await download(batchId);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(file.headers.get('x-content-sha256')).toBe(sha(CSV));
    expect(file.headers.get('content-disposition')).toContain('ledger%20jan.csv');
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(sha(bytes)).toBe(sha(CSV));
    const list = await t.call('GET', '/actuals/files', tokenA);
    expect(list.json().items).toEqual([
      expect.objectContaining({
        kind: 'actuals_upload',
        name: 'ledger jan.csv',
        size: Buffer.byteLength(CSV),
        sha256: sha(CSV),
        storage,
        ref_type: 'actual_batch',
        ref_id: batchId,
      }),
    ]);
    if (s3) expect(await objects()).toBe(1);
  });

  it('keeps nothing of a rejected import', async () => {
    const before = await objects();
    const res = await upload('batch_key=bad', `${HEADER}\n2026-01,4000,,,opex,not-money,USD,x\n`);
    expect(res.statusCode, res.body).toBe(422);
    expect((await t.call('GET', '/actuals/files', tokenA)).json().items).toHaveLength(1);
    expect(await objects()).toBe(before);
  });

  it('re-imports the kept file under its batch key: a new batch with the same rows and the same bytes', async () => {
    const res = await t.call('POST', `/actuals/batches/${batchId}/reimport`, tokenA);
    expect(res.statusCode, res.body).toBe(201);
    const again = res.json();
    expect(again).toMatchObject({
      batch_key: 'jan-feb',
      row_count: 2,
      report: { totals: { USD: '1334.49' } },
    });
    expect(again.batch_id).not.toBe(batchId);
    // The batch was replaced; its file now belongs to the new batch too (the bytes are not stored twice).
    expect((await t.call('GET', `/actuals/batches/${batchId}`, tokenA)).statusCode).toBe(404);
    const file = await download(again.batch_id);
    expect(sha(Buffer.from(await file.arrayBuffer()))).toBe(sha(CSV));
    const items = (await t.call('GET', '/actuals/files', tokenA)).json().items;
    expect(items.map((f: { ref_id: string }) => f.ref_id)).toEqual([again.batch_id, batchId]);
    if (s3) expect(await objects()).toBe(1);
    batchId = again.batch_id;
  });

  it('keeps the file of an import run as a job', async () => {
    const body = `${HEADER}\n2026-03,4200,,,opex,10.00,EUR,job\n`;
    const res = await upload('batch_key=job&async=true', body);
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(t, tokenA, res.json().job_id);
    expect(job.status, job.error).toBe('completed');
    const file = await download(job.result.batch_id);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(body);
  });

  it("answers 404 to another tenant for the batch's file and its re-import, and lists none of its files", async () => {
    const file = await download(batchId, tokenB);
    expect(file.status).toBe(404);
    const err = (await file.json()) as { errors: { path: string }[] };
    expect(err.errors[0]!.path).toBe('params.id');
    expect((await t.call('POST', `/actuals/batches/${batchId}/reimport`, tokenB)).statusCode).toBe(404);
    expect((await t.call('GET', '/actuals/files', tokenB)).json().items).toEqual([]);
    // The owner still reads it.
    expect((await download(batchId)).status).toBe(200);
  });

  it('needs actuals:read to download and actuals:write to re-import', async () => {
    const reader = await t.token(newTenant(), { permissions: ['budgets:read'] });
    expect((await download(batchId, reader)).status).toBe(403);
    const viewer = await t.token(newTenant(), { permissions: ['actuals:read'] });
    expect((await t.call('POST', `/actuals/batches/${batchId}/reimport`, viewer)).statusCode).toBe(403);
  });
});
