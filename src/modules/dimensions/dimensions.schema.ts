/** Request and response schemas of the dimension trees (docs/dimensions.md). */
import { z } from 'zod';
import { queryBoolean } from '../../shared/validation.ts';

/** The four dimensions a tenant can keep as trees. */
export const DIMENSIONS = ['department', 'cost_center', 'gl_account', 'fund'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Account types of the chart of accounts (gl_account members only). */
export const ACCOUNT_TYPES = ['revenue', 'expense', 'asset', 'liability', 'equity'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** Member codes: what lines and actuals carry in department_id, cost_center_id, gl_account_id. */
export const memberCode = (label = 'code') =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${label} is required` : undefined) })
    .trim()
    .min(1, { message: `${label} must not be empty` })
    .max(255, { message: `${label} must be at most 255 characters` });

export const dimensionParam = z.enum(DIMENSIONS, {
  error: `dimension must be one of ${DIMENSIONS.join(', ')}`,
});

export const dimensionParams = z.strictObject({ dimension: dimensionParam });
export const memberParams = z.strictObject({ dimension: dimensionParam, code: memberCode() });

/** Fields of a member as PUT and the CSV import give them (the code comes from the path or the row). */
export const memberFields = {
  name: z
    .string({ error: (issue) => (issue.input === undefined ? 'name is required' : undefined) })
    .trim()
    .min(1, { message: 'name must not be empty' })
    .max(255, { message: 'name must be at most 255 characters' }),
  parent_code: memberCode('parent_code')
    .nullable()
    .optional()
    .meta({ description: 'the parent member in the same dimension; null or absent for a root' }),
  account_type: z
    .enum(ACCOUNT_TYPES, { error: `account_type must be one of ${ACCOUNT_TYPES.join(', ')}` })
    .nullable()
    .optional()
    .meta({ description: 'gl_account only (required there): revenue, expense, asset, liability, equity' }),
  sort_order: z
    .number()
    .int()
    .min(-1_000_000)
    .max(1_000_000)
    .optional()
    .meta({ description: 'order among siblings (then by code); default 0' }),
};

export const memberPutBody = z.strictObject({
  ...memberFields,
  version: z.number().int().min(1).optional().meta({
    description: 'when updating: the version you read (409 when stale); omit to create or overwrite',
  }),
});
export type MemberPutBody = z.output<typeof memberPutBody>;

/** A member to write: the PUT body or an import row, with its code. */
export interface MemberInput {
  code: string;
  name: string;
  parent_code?: string | null | undefined;
  account_type?: AccountType | null | undefined;
  sort_order?: number | undefined;
}

export const membersQuery = z.strictObject({
  tree: queryBoolean(false).meta({
    description: 'true: roots with nested `children` instead of a flat list',
  }),
});

export const deleteMemberQuery = z.strictObject({
  cascade: queryBoolean(false).meta({
    description: 'true: delete the member with its whole subtree (otherwise 409 when it has children)',
  }),
});

export const importMembersQuery = z.strictObject({
  dry_run: queryBoolean(false).meta({ description: 'true: validate the file and report, store nothing' }),
});

const memberShape = {
  dimension: z.enum(DIMENSIONS),
  code: z.string(),
  name: z.string(),
  parent_code: z.string().nullable(),
  account_type: z.enum(ACCOUNT_TYPES).nullable(),
  sort_order: z.number().int(),
  depth: z.number().int().meta({ description: 'level in the tree: 1 for a root' }),
  path: z.array(z.string()).meta({ description: 'codes from the root down to this member' }),
  children_count: z.number().int(),
  version: z.number().int(),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
};
export const memberResponse = z.object(memberShape);
export type MemberView = z.output<typeof memberResponse>;

export interface MemberNode extends MemberView {
  children: MemberNode[];
}
/** A member with its children, recursively (?tree=true). */
export const memberNode: z.ZodType<MemberNode> = z
  .object({
    ...memberShape,
    get children() {
      return z.array(memberNode);
    },
  })
  .meta({ id: 'DimensionMemberNode' });

export const membersResponse = z.object({
  dimension: z.enum(DIMENSIONS),
  count: z.number().int(),
  items: z.array(memberResponse).meta({ description: 'depth first: each member before its children' }),
});
export const memberTreeResponse = z.object({
  dimension: z.enum(DIMENSIONS),
  count: z.number().int(),
  roots: z.array(memberNode),
});

export const deleteMemberResponse = z.object({
  deleted: z.array(z.string()).meta({ description: 'codes deleted, leaves first' }),
});

export const importMembersResponse = z.object({
  dimension: z.enum(DIMENSIONS),
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  dry_run: z.boolean(),
});
