/**
 * `bf dimensions list|import|set|delete`: the tenant's trees of departments, cost centres, GL
 * accounts and funds (docs/dimensions.md), through the dimensions service (or a running
 * server's API, dimensions-backend.ts). A refusal prints the API's message and the field or row
 * it names, and exits 1.
 */
import { existsSync } from 'node:fs';
import { Argument, type Command } from 'commander';
import { DIMENSIONS, type Dimension } from '../../modules/dimensions/index.ts';
import { AppError } from '../../platform/http/errors.ts';
import {
  type DimensionsBackend,
  type MemberList,
  type MemberNode,
  openBackend,
  type PutBody,
  type Who,
} from './dimensions-backend.ts';

const dimensionArgument = () => new Argument('<dimension>', 'the tree').choices(DIMENSIONS);

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Runs `work` on a backend and turns a refusal into its message on stderr and exit code 1. */
async function withBackend(who: Who, work: (b: DimensionsBackend) => Promise<void>): Promise<void> {
  const backend = await openBackend(who);
  try {
    await work(backend);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // The API's hint names its query parameter; here it is an option.
    const words = (s: string) => s.replace(/\?cascade=true/g, '--cascade');
    const lines = [
      words(error.message),
      ...error.errors
        .filter((e) => e.message !== error.message)
        .map((e) => `  ${e.message.startsWith('row ') || !e.path ? e.message : `${e.path}: ${e.message}`}`),
    ];
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exitCode = 1;
  } finally {
    await backend.close();
  }
}

/** The flat list as aligned columns: code, name, parent, account type (GL), children. */
export function formatList(list: MemberList): string {
  const gl = list.dimension === 'gl_account';
  const rows = [
    ['code', 'name', 'parent', ...(gl ? ['account_type'] : []), 'children'],
    ...list.items.map((m) => [
      m.code,
      m.name,
      m.parent_code ?? '-',
      ...(gl ? [m.account_type ?? '-'] : []),
      String(m.children_count),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

/** The tree drawn with branches: `├── 110  Roads` under its parent. */
export function formatTree(roots: MemberNode[]): string {
  const out: string[] = [];
  const label = (m: MemberNode) =>
    `${m.code}  ${m.name}${m.account_type ? ` [${m.account_type}]` : ''}${
      m.children_count ? ` (${plural(m.children_count, 'child', 'children')})` : ''
    }`;
  const walk = (nodes: MemberNode[], prefix: string) =>
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      out.push(`${prefix}${last ? '└── ' : '├── '}${label(n)}`);
      walk(n.children, `${prefix}${last ? '    ' : '│   '}`);
    });
  for (const r of roots) {
    out.push(label(r));
    walk(r.children, '');
  }
  return out.join('\n');
}

interface WhoOptions {
  tenant: string;
  user: string;
}
const withWho = (c: Command) =>
  c
    .option('--tenant <tenant>', 'tenant id or slug', 'demo')
    .option('--user <user>', 'recorded in the audit log as the user', 'cli');

/** Registers `bf dimensions` and its sub-commands. */
export function registerDimensionsCommands(program: Command): void {
  const dims = program
    .command('dimensions')
    .description('Trees of departments, cost centres, GL accounts and funds (docs/dimensions.md)');

  withWho(
    dims
      .command('list')
      .description(
        "Print a dimension's members, depth first (--tree: drawn as a tree; --json: the API's answer)",
      )
      .addArgument(dimensionArgument())
      .option('--tree', 'draw the tree')
      .option('--json', 'print the API answer as JSON'),
  ).action(async (dimension: Dimension, o: WhoOptions & { tree?: boolean; json?: boolean }) =>
    withBackend(o, async (b) => {
      const answer = o.tree ? await b.tree(dimension) : await b.list(dimension);
      if (o.json) return void process.stdout.write(`${JSON.stringify(answer)}\n`);
      if (answer.count === 0)
        return void process.stderr.write(`no ${dimension} members in tenant ${o.tenant}\n`);
      const text = 'roots' in answer ? formatTree(answer.roots) : formatList(answer);
      process.stdout.write(`${text}\n`);
    }),
  );

  withWho(
    dims
      .command('import')
      .description(
        'Create or update members from a CSV file (code, name, parent_code, account_type[, sort_order]); all or nothing',
      )
      .addArgument(dimensionArgument())
      .argument('<file>', 'CSV file')
      .option('--dry-run', 'check every row and report, store nothing'),
  ).action(async (dimension: Dimension, file: string, o: WhoOptions & { dryRun?: boolean }) => {
    if (!existsSync(file)) throw new Error(`no such file: ${file}`);
    await withBackend(o, async (b) => {
      const r = await b.importCsv(dimension, file, o.dryRun ?? false);
      const counts = r.dry_run
        ? `${r.created} to create, ${r.updated} to update, ${r.unchanged} unchanged`
        : `${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged`;
      process.stdout.write(
        `${r.dry_run ? 'dry run, nothing stored: ' : ''}${dimension}: ${plural(r.rows, 'row')}: ${counts}\n`,
      );
    });
  });

  withWho(
    dims
      .command('set')
      .description(
        'Create or update one member; options not given keep their current value (a new member needs --name)',
      )
      .addArgument(dimensionArgument())
      .argument('<code>', 'the member code lines and actuals carry')
      .option('--name <name>', 'its name (required to create)')
      .option('--parent <code>', 'its parent in the same dimension (move it there)')
      .option('--root', 'make it a root (no parent)')
      .option('--account-type <type>', 'gl_account only: revenue, expense, asset, liability or equity')
      .option('--sort-order <n>', 'order among its siblings'),
  ).action(
    async (
      dimension: Dimension,
      code: string,
      o: WhoOptions & {
        name?: string;
        parent?: string;
        root?: boolean;
        accountType?: string;
        sortOrder?: string;
      },
    ) => {
      if (o.root && o.parent !== undefined) throw new Error('give --parent or --root, not both');
      const sortOrder = o.sortOrder === undefined ? undefined : Number(o.sortOrder);
      if (sortOrder !== undefined && !Number.isInteger(sortOrder))
        throw new Error(`--sort-order must be a whole number; got "${o.sortOrder}"`);
      await withBackend(o, async (b) => {
        const current = (await b.list(dimension)).items.find((m) => m.code === code);
        if (!current && o.name === undefined)
          throw new AppError(
            400,
            'required',
            `${dimension} ${code} does not exist yet: give --name to create it`,
          );
        // PUT replaces every field: the ones not given are sent as they are now.
        const body = {
          name: o.name ?? current!.name,
          parent_code: o.root ? null : (o.parent ?? current?.parent_code ?? null),
          ...(o.accountType !== undefined || current?.account_type
            ? { account_type: (o.accountType ?? current?.account_type) as PutBody['account_type'] }
            : {}),
          sort_order: sortOrder ?? current?.sort_order ?? 0,
          ...(current ? { version: current.version } : {}),
        } satisfies PutBody;
        const { created, member } = await b.put(dimension, code, body);
        process.stdout.write(
          `${created ? 'created' : 'updated'} ${dimension} ${member.code} (${member.name}) ${
            member.parent_code ? `under ${member.parent_code}` : 'as a root'
          }: ${member.path.join(' > ')}\n`,
        );
      });
    },
  );

  withWho(
    dims
      .command('delete')
      .description(
        'Delete a member (--cascade: with its whole subtree); refused while lines or actuals carry it',
      )
      .addArgument(dimensionArgument())
      .argument('<code>', 'the member code')
      .option('--cascade', 'delete its children too, the whole subtree'),
  ).action(async (dimension: Dimension, code: string, o: WhoOptions & { cascade?: boolean }) =>
    withBackend(o, async (b) => {
      const { deleted } = await b.remove(dimension, code, o.cascade ?? false);
      process.stdout.write(
        `deleted ${plural(deleted.length, `${dimension} member`)}: ${deleted.join(', ')}\n`,
      );
    }),
  );
}
