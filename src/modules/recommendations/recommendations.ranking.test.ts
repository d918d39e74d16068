import { describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/money.ts';
import type { Draft } from './recommendations.generators.ts';
import { priorityScore, rank } from './recommendations.ranking.ts';
import { phasingDistance, spreadCents } from './recommendations.stats.ts';

const draft = (over: Partial<Draft>): Draft => ({
  type: 'cost_optimization',
  category: 'operational_efficiency',
  title: 't',
  description: 'd',
  estimated_impact: '-1000.00',
  confidence_score: '0.5000',
  implementation_effort: 'medium',
  timeframe: 'x',
  required_actions: [],
  risk_factors: [],
  evidence: { method: 'm', figures: {}, queries: [] },
  adjustment: null,
  ...over,
});
const medium = { strategic_goals: [], risk_tolerance: 'medium' as const };

describe('ranking (the guide formula)', () => {
  it('scores impact bands on |impact| with strict thresholds', () => {
    expect(
      priorityScore(draft({ estimated_impact: '-100000.01', confidence_score: '0' }), medium).toFixed(2),
    ).toBe('30.00');
    expect(
      priorityScore(draft({ estimated_impact: '100000.00', confidence_score: '0' }), medium).toFixed(2),
    ).toBe('20.00');
    expect(
      priorityScore(draft({ estimated_impact: '50000.00', confidence_score: '0' }), medium).toFixed(2),
    ).toBe('10.00');
  });

  it("reproduces the guide's example: 30 + 0.78 x 25 + 20 for a strategic goal", () => {
    const d = draft({ estimated_impact: '-120000.00', confidence_score: '0.7800' });
    expect(
      priorityScore(d, { strategic_goals: ['operational_efficiency'], risk_tolerance: 'medium' }).toFixed(2),
    ).toBe('69.50');
  });

  it('adjusts for risk tolerance: -15 for high effort at low, +10 for low effort at high', () => {
    const base = { confidence_score: '0.4000', estimated_impact: '10.00' };
    expect(
      priorityScore(draft({ ...base, implementation_effort: 'high' }), {
        strategic_goals: [],
        risk_tolerance: 'low',
      }).toFixed(2),
    ).toBe('5.00');
    expect(
      priorityScore(draft({ ...base, implementation_effort: 'low' }), {
        strategic_goals: [],
        risk_tolerance: 'high',
      }).toFixed(2),
    ).toBe('30.00');
    expect(
      priorityScore(draft({ ...base, implementation_effort: 'low' }), {
        strategic_goals: [],
        risk_tolerance: 'low',
      }).toFixed(2),
    ).toBe('20.00');
  });

  it('sorts by score, then |impact|, and numbers the ranks', () => {
    const ranked = rank(
      [
        draft({ title: 'small', estimated_impact: '10.00', confidence_score: '0.9000' }),
        draft({ title: 'big', estimated_impact: '-200000.00', confidence_score: '0.1000' }),
        draft({ title: 'tie', estimated_impact: '20.00', confidence_score: '0.9000' }),
      ],
      medium,
    );
    expect(ranked.map((r) => [r.title, r.rank, r.priority_score])).toEqual([
      ['big', 1, '32.50'],
      ['tie', 2, '32.50'],
      ['small', 3, '32.50'],
    ]);
  });
});

describe('phasing statistics', () => {
  it('distance is the share of the total in the wrong months; suggestions sum exactly', () => {
    const flat = new Map(Array.from({ length: 12 }, (_, i) => [i + 1, new Decimal(1).div(12)]));
    const seasonal = new Map(
      Array.from({ length: 12 }, (_, i) => [i + 1, new Decimal(i >= 10 ? '0.25' : '0.05')]),
    );
    expect(phasingDistance(flat, seasonal).toDecimalPlaces(4).toFixed(4)).toBe('0.3333');
    const spread = spreadCents(new Decimal('1000.01'), flat);
    expect([...spread.values()].reduce((a, b) => a.plus(b), new Decimal(0)).toFixed(2)).toBe('1000.01');
    expect(spread.get(1)!.toFixed(2)).toBe('83.34');
    expect(spread.get(12)!.toFixed(2)).toBe('83.33');
  });
});
