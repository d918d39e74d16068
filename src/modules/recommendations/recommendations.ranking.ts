/**
 * The guide's ranking (`_rank_recommendations`), exactly: impact band (|impact| > 100,000: 30;
 * > 50,000: 20; else 10) + confidence x 25 + 20 when the category is a strategic goal, - 15 for
 * high effort at low risk tolerance, + 10 for low effort at high risk tolerance. Highest first;
 * ties keep the larger |impact| first, then the generators' order.
 */
import { Decimal } from '../../shared/money.ts';
import type { Draft } from './recommendations.generators.ts';

export type RiskTolerance = 'low' | 'medium' | 'high';

export interface RankingParams {
  strategic_goals: string[];
  risk_tolerance: RiskTolerance;
}

export type Ranked = Draft & { priority_score: string; priority: 'high' | 'medium' | 'low'; rank: number };

/** The guide's priority score of one recommendation. */
export function priorityScore(
  d: Pick<Draft, 'estimated_impact' | 'confidence_score' | 'category' | 'implementation_effort'>,
  p: RankingParams,
): Decimal {
  const magnitude = new Decimal(d.estimated_impact).abs();
  let score = new Decimal(magnitude.gt(100_000) ? 30 : magnitude.gt(50_000) ? 20 : 10);
  score = score.plus(new Decimal(d.confidence_score).times(25));
  if (p.strategic_goals.includes(d.category)) score = score.plus(20);
  if (p.risk_tolerance === 'low' && d.implementation_effort === 'high') score = score.minus(15);
  else if (p.risk_tolerance === 'high' && d.implementation_effort === 'low') score = score.plus(10);
  return score;
}

/** Priority label from the score: 50 and above high, 35 and above medium, else low. */
export function priorityOf(score: Decimal): 'high' | 'medium' | 'low' {
  return score.gte(50) ? 'high' : score.gte(35) ? 'medium' : 'low';
}

/** Scores and sorts the drafts; rank 1 is the first. */
export function rank(drafts: Draft[], p: RankingParams): Ranked[] {
  return drafts
    .map((d, i) => ({ d, i, s: priorityScore(d, p) }))
    .sort(
      (x, y) =>
        y.s.comparedTo(x.s) ||
        new Decimal(y.d.estimated_impact).abs().comparedTo(new Decimal(x.d.estimated_impact).abs()) ||
        x.i - y.i,
    )
    .map(({ d, s }, i) => ({ ...d, priority_score: s.toFixed(2), priority: priorityOf(s), rank: i + 1 }));
}
