/**
 * The sample company, "Alpine Outfitters": an outdoor-equipment maker with sales in Europe (EUR),
 * North America (USD) and the United Kingdom (GBP), five departments and an 18-account ledger.
 * Figures here are the company's shape (monthly run-rates, seasonality, growth); the generator
 * (sample.generate.ts) turns them into ledger postings with a seeded PRNG.
 */
import type { LineType, SpreadMethod } from '../../shared/enums.ts';

export const SAMPLE_TENANT = 'sample';
export const SAMPLE_COMPANY = 'Alpine Outfitters';
export const BASE_CURRENCY = 'EUR';

/** Department ids as the ledger and the budgets carry them. */
export const DEPARTMENTS = ['Sales', 'Marketing', 'R&D', 'Operations', 'G&A'] as const;
export type Department = (typeof DEPARTMENTS)[number];

/** Monthly weights (January first); they average about 1, except payroll's December bonus. */
export const SEASONS = {
  outdoor: ['0.62', '0.70', '0.95', '1.18', '1.32', '1.38', '1.30', '1.10', '0.92', '0.78', '0.85', '0.90'],
  summer: ['0.55', '0.60', '0.80', '1.05', '1.30', '1.50', '1.60', '1.45', '1.10', '0.85', '0.60', '0.60'],
  wholesale: ['0.80', '1.60', '1.50', '0.90', '0.70', '0.60', '0.70', '1.40', '1.50', '0.90', '0.70', '0.70'],
  payroll: ['1', '1', '1', '1', '1', '1', '1', '1', '1', '1', '1', '1.5'],
  campaign: ['0.70', '0.85', '1.30', '1.40', '1.10', '0.80', '0.60', '0.65', '1.00', '1.10', '1.50', '1.00'],
  events: ['2.2', '0.5', '0.6', '0.8', '0.5', '0.4', '0.3', '0.4', '2.8', '1.5', '1.0', '1.0'],
  travel: ['0.9', '1.1', '1.2', '1.1', '1.1', '1.0', '0.8', '0.5', '1.2', '1.2', '1.2', '0.7'],
  heating: ['1.6', '1.5', '1.2', '0.9', '0.7', '0.6', '0.6', '0.6', '0.7', '1.0', '1.2', '1.4'],
  flat: ['1', '1', '1', '1', '1', '1', '1', '1', '1', '1', '1', '1'],
} as const satisfies Record<string, readonly string[]>;
export type Season = keyof typeof SEASONS;

/** One general-ledger account and how it behaves. Rates are decimal strings (0.06 = 6 % a year). */
export interface Account {
  gl: string;
  name: string;
  lineType: LineType;
  category: string;
  department: Department;
  currency: 'EUR' | 'USD' | 'GBP';
  /** A normal month of the first year, in the account's currency. */
  monthly: string;
  season: Season;
  /** Growth the ledger really shows, per year. */
  actualGrowth: string;
  /** Growth the planners put into the current year's budget. */
  plannedGrowth: string;
  /** Month-to-month noise, ± basis points. */
  noiseBp: number;
  /** Postings a month (the amount is split between them). */
  postings: number;
  /** How the budget line spreads its amount (last_year reads the prior year's actuals). */
  spread: SpreadMethod;
  /** Payroll lines: headcount, so the line is quantity × unit cost. */
  headcount?: number;
}

// The ledger as a table (one account a row): easier to read and review than 18 object literals.
// gl | name | line type | category | department | currency | monthly | season | actual growth |
// planned growth | noise bp | postings | spread | headcount
const LEDGER = `
4000 | Product sales – Europe        | revenue | Product revenue       | Sales      | EUR | 420000 | outdoor   |  0.06 | 0.09 |  350 | 4 | last_year |
4010 | Product sales – North America | revenue | Product revenue       | Sales      | USD | 180000 | outdoor   |  0.18 | 0.12 |  450 | 3 | last_year |
4020 | Wholesale – United Kingdom    | revenue | Product revenue       | Sales      | GBP |  90000 | wholesale | -0.03 | 0.05 |  500 | 2 | last_year |
4100 | Repair & rental services      | revenue | Services revenue      | Operations | EUR |  65000 | summer    |  0.04 | 0.04 |  400 | 3 | seasonal  |
5000 | Cost of goods sold            | expense | Cost of sales         | Operations | EUR | 245000 | outdoor   |  0.08 | 0.09 |  300 | 4 | last_year |
5100 | Freight & logistics           | expense | Cost of sales         | Operations | EUR |  38000 | outdoor   |  0.12 | 0.06 |  500 | 3 | last_year |
6010 | Salaries – Sales              | expense | Payroll               | Sales      | EUR |  62000 | payroll   |  0.05 | 0.05 |   80 | 1 | seasonal  | 14
6020 | Salaries – Marketing          | expense | Payroll               | Marketing  | EUR |  30000 | payroll   |  0.05 | 0.05 |   80 | 1 | seasonal  | 6
6030 | Salaries – R&D                | expense | Payroll               | R&D        | EUR |  78000 | payroll   |  0.10 | 0.14 |   80 | 1 | seasonal  | 15
6040 | Salaries – Operations         | expense | Payroll               | Operations | EUR |  52000 | payroll   |  0.04 | 0.04 |   80 | 1 | seasonal  | 12
6050 | Salaries – G&A                | expense | Payroll               | G&A        | EUR |  40000 | payroll   |  0.03 | 0.03 |   80 | 1 | seasonal  | 7
6100 | Digital advertising           | expense | Marketing             | Marketing  | EUR |  48000 | campaign  |  0.20 | 0.10 |  600 | 3 | seasonal  |
6110 | Trade shows & events          | expense | Marketing             | Marketing  | EUR |  15000 | events    |  0.05 | 0.05 |  900 | 2 | seasonal  |
6200 | Travel                        | expense | Travel                | Sales      | EUR |  12000 | travel    | -0.10 | 0.05 |  700 | 4 | last_year |
6300 | Software & cloud              | expense | IT                    | R&D        | EUR |  21000 | flat      |  0.25 | 0.15 |  250 | 2 | even      |
6400 | Rent & facilities             | expense | Facilities            | G&A        | EUR |  34000 | flat      |  0.03 | 0.03 |   20 | 1 | even      |
6500 | Professional fees             | expense | Professional services | G&A        | EUR |   9000 | flat      |  0.02 | 0.02 | 1500 | 2 | even      |
6600 | Utilities                     | expense | Facilities            | Operations | EUR |   6500 | heating   |  0.06 | 0.04 |  400 | 1 | seasonal  |
`;

function parseLedger(text: string): Account[] {
  return text
    .trim()
    .split('\n')
    .map((row) => {
      const [
        gl,
        name,
        lineType,
        category,
        department,
        currency,
        monthly,
        season,
        actual,
        planned,
        noise,
        postings,
        spread,
        headcount,
      ] = row.split('|').map((c) => c.trim());
      return {
        gl: gl!,
        name: name!,
        lineType: lineType as LineType,
        category: category!,
        department: department as Department,
        currency: currency as Account['currency'],
        monthly: monthly!,
        season: season as Season,
        actualGrowth: actual!,
        plannedGrowth: planned!,
        noiseBp: Number(noise),
        postings: Number(postings),
        spread: spread as SpreadMethod,
        ...(headcount ? { headcount: Number(headcount) } : {}),
      };
    });
}

export const ACCOUNTS: readonly Account[] = parseLedger(LEDGER);

/**
 * What happened in the current year that the plan did not foresee (so the variance report has a
 * story): a wet summer in Europe and a one-off legal case. Month is 1-based; factor multiplies.
 */
export const EVENTS: readonly {
  gl: string;
  months: number[];
  factor?: string;
  extra?: string;
  text: string;
}[] = [
  { gl: '4000', months: [5, 6, 7], factor: '0.84', text: 'Wet summer: fewer outdoor sales' },
  { gl: '6500', months: [6], extra: '48000', text: 'Legal case: supplier dispute' },
];

/** Monthly FX rates into EUR start here (1 unit of the currency = rate EUR) and walk randomly. */
export const FX_START = { USD: '0.9210', GBP: '1.1740' } as const;

/** The sample's users: documented in the README; passwords are public, for a local sandbox only. */
export const SAMPLE_USERS = [
  {
    email: 'planner@sample.local',
    password: 'planner-sample-1',
    roles: ['planner'],
    displayName: 'Paula Planner',
  },
  {
    email: 'approver@sample.local',
    password: 'approver-sample-1',
    roles: ['approver'],
    displayName: 'Arno Approver',
  },
  {
    email: 'viewer@sample.local',
    password: 'viewer-sample-1',
    roles: ['viewer'],
    displayName: 'Vera Viewer',
  },
  { email: 'admin@sample.local', password: 'admin-sample-1', roles: ['admin'], displayName: 'Ada Admin' },
] as const;
