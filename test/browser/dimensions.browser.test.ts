/**
 * The Dimensions screen in a real Chromium: a department CSV checked by a dry run (a bad parent
 * shown by row and column, nothing stored), then imported; a member added under another; a move
 * that would make a cycle refused on the Parent field; deleting a member with children asks
 * about its subtree; the tree answers the arrow keys; a viewer sees the tree and no edit control.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCredentials, printOutputOnFailure } from '../e2e/server.ts';
import {
  BROWSER_START_TIMEOUT_MS,
  type BrowserRun,
  describeBrowser,
  signIn,
  startBrowserRun,
  watchErrors,
} from './harness.ts';

/** The refusals this test provokes on purpose (the browser logs every 4xx answer). */
const EXPECTED = /status of (409|422)/;

async function chooseFile(page: Page, name: string, csv: string) {
  await page
    .locator('input[type=file]')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
}

describeBrowser('the dimensions screen (chromium)', () => {
  let run: BrowserRun | undefined;
  let token: string;
  beforeAll(async () => {
    run = await startBrowserRun({ redisDb: 12 });
    token = (await run.server.call('POST', '/auth/login', { json: demoCredentials(run.server.dataDir) })).json
      .access_token as string;
  }, BROWSER_START_TIMEOUT_MS);
  afterAll(() => run?.close());
  printOutputOnFailure(() => run?.server);
  const departments = async () =>
    (await run!.server.call('GET', '/dimensions/department/members', { token })).json.items as {
      code: string;
      parent_code: string | null;
    }[];

  it('imports after a dry run, adds a member, refuses a cycle on the field and asks before a cascade', async () => {
    const page = await run!.context.newPage();
    const errors = watchErrors(page);
    await signIn(page, run!.server);
    await page.getByRole('link', { name: /Dimensions/ }).click();
    await page.getByRole('heading', { name: 'Dimensions' }).waitFor();
    await page.getByText('No departments yet').waitFor();

    // A dry run of a file naming an unknown parent: the row and column, nothing stored.
    await page.getByTestId('import-open').click();
    await chooseFile(page, 'bad.csv', 'code,name,parent_code\nCITY,City,\nLIB,Library,NOPE\n');
    const rowErrors = page.getByTestId('row-errors');
    await rowErrors.waitFor();
    expect(await rowErrors.getByRole('row').nth(1).textContent()).toMatch(
      /^3parent_codeparent_code "NOPE" is not a member.*LIB,Library,NOPE$/,
    );
    expect(await page.getByTestId('import-errors').textContent()).toContain('1 row to fix');
    expect(await page.getByTestId('import-confirm').isDisabled()).toBe(true);
    expect(await departments()).toEqual([]);

    // A good file: the dry run says what it would do, the import does it.
    await chooseFile(
      page,
      'departments.csv',
      'code,name,parent_code\n110,Roads,OPS\n120,Parks,OPS\nOPS,Operations,CITY\nFIN,Finance,CITY\nCITY,City,\n',
    );
    await page
      .getByTestId('dry-run-ok')
      .getByText('5 to create. Nothing is stored until you import it.')
      .waitFor();
    await page.getByTestId('import-confirm').click();
    expect(await page.getByTestId('import-result').textContent()).toBe('Imported 5 rows5 created.');
    await page.getByRole('button', { name: 'Close' }).click();
    const tree = page.getByRole('tree', { name: 'Departments' });
    await tree.getByRole('treeitem', { name: /^110\s*Roads/ }).waitFor();
    expect(await tree.getByRole('treeitem', { name: /^OPS/ }).getAttribute('aria-level')).toBe('2');

    // Add a member under OPS.
    await tree.getByRole('treeitem', { name: /^OPS/ }).click();
    await page.getByTestId('add-child').click();
    await page.getByLabel('Code').fill('130');
    await page.getByLabel('Name').fill('Water');
    await page.getByTestId('member-save').click();
    const water = tree.getByRole('treeitem', { name: /^130\s*Water/ });
    await water.waitFor();
    expect(await water.getAttribute('aria-level')).toBe('3');
    expect(await water.getAttribute('aria-selected')).toBe('true');
    expect((await departments()).find((m) => m.code === '130')?.parent_code).toBe('OPS');

    // Moving OPS under its own child: the API's refusal on the Parent field.
    await tree.getByRole('treeitem', { name: /^OPS/ }).click();
    await page.getByTestId('member-parent').click();
    await page.getByRole('option', { name: '130 — Water' }).click();
    await page.getByTestId('member-save').click();
    await page.getByText('parent_code makes a cycle: OPS → 130 → OPS').waitFor();
    expect(await page.getByTestId('member-parent').getAttribute('aria-invalid')).toBe('true');
    expect((await departments()).find((m) => m.code === 'OPS')?.parent_code).toBe('CITY');

    // The arrow keys: from OPS down to its first child, left back to OPS, left closes it.
    await tree.getByRole('treeitem', { name: /^OPS/ }).focus();
    const focused = () =>
      page.evaluate(() =>
        (
          globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string } | null } }
        ).document.activeElement?.getAttribute('data-code'),
      );
    await page.keyboard.press('ArrowRight');
    await expect.poll(focused).toBe('110');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(focused).toBe('OPS');
    await page.keyboard.press('ArrowLeft');
    await expect
      .poll(() => tree.getByRole('treeitem', { name: /^OPS/ }).getAttribute('aria-expanded'))
      .toBe('false');
    expect(await tree.getByRole('treeitem').count()).toBe(3);

    // Deleting OPS (with three children): the question of the subtree, then the cascade.
    await page.getByTestId('member-delete').click();
    await page.getByTestId('delete-confirm').click();
    const question = page.getByTestId('cascade-question');
    await question.waitFor();
    expect(await question.textContent()).toContain(
      'Department member OPS has 3 child members (110, 120, 130)',
    );
    expect(await question.textContent()).toContain('4 members: OPS, 110, 120, 130');
    await page.getByTestId('delete-cascade').click();
    await page.getByText('Deleted 4 members').waitFor();
    expect((await departments()).map((m) => m.code)).toEqual(['CITY', 'FIN']);
    expect(await tree.getByRole('treeitem', { name: /^CITY/ }).getAttribute('aria-selected')).toBe('true');

    expect(errors.filter((e) => !EXPECTED.test(e))).toEqual([]);
    await page.close();
  });

  it('a viewer sees the tree and the member, and no control to change them', async () => {
    const demo = demoCredentials(run!.server.dataDir);
    const viewer = { tenant: demo.tenant, email: 'viewer@dimensions.test', password: 'viewer-password-1' };
    const made = await run!.server.call('POST', '/users', {
      token,
      json: { email: viewer.email, password: viewer.password, roles: ['viewer'] },
    });
    expect(made.status, made.text).toBe(201);
    const context = await run!.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, run!.server, viewer);
    await page.goto('/dimensions?member=CITY');
    await page.getByRole('tree', { name: 'Departments' }).getByRole('treeitem', { name: /^FIN/ }).waitFor();
    await page.getByTestId('member-details').waitFor();
    await page.getByText('Your role can read the departments but not change them.').waitFor();
    for (const id of ['import-open', 'add-root', 'add-child', 'member-save', 'member-delete'])
      expect(await page.getByTestId(id).count(), id).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
