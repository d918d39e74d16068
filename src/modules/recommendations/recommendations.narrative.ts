/**
 * Optional narrative of a bundle by an LLM behind an OpenAI-compatible chat endpoint. The model
 * sees only the computed evidence and may only rephrase it: every number in its answer must
 * appear in that evidence, or the narrative is dropped. Without LLM_BASE_URL and LLM_MODEL it is off.
 */
import type { AppConfig } from '../../config/env.ts';
import { Decimal } from '../../shared/money.ts';
import type { Analysis } from './recommendations.analysis.ts';
import type { Ranked } from './recommendations.ranking.ts';

export interface Narrative {
  text: string | null;
  /** ok | disabled | not_requested | failed: ... | rejected: ... */
  status: string;
}

const SYSTEM_PROMPT =
  'You summarise budget recommendations for a finance lead. Use ONLY the facts in the JSON you are given. ' +
  'Do not compute, estimate or introduce any number that is not written in the JSON; copy numbers exactly. ' +
  'Write at most 150 words of plain text, most important recommendation first.';

const NUMBER = /-?\d[\d,]*(?:\.\d+)?/g;

/** The numbers written in a text, as normalised decimal strings ("2,400.00" -> "2400"). */
export function numbersIn(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.match(NUMBER) ?? []) {
    const clean = raw.replace(/,/g, '');
    try {
      out.push(new Decimal(clean).toString());
    } catch {
      // Not a number after all (e.g. "1,,2"): it cannot be checked, so it is kept as text.
      out.push(clean);
    }
  }
  return out;
}

/** The evidence the model may see: computed figures only, no SQL text. */
export function narrativeEvidence(analysis: Analysis, ranked: Ranked[]) {
  const { queries: _q, ...figures } = analysis;
  return {
    analysis: figures,
    recommendations: ranked.map((r) => ({
      rank: r.rank,
      type: r.type,
      title: r.title,
      description: r.description,
      estimated_impact: r.estimated_impact,
      confidence_score: r.confidence_score,
      priority: r.priority,
      figures: r.evidence.figures,
    })),
  };
}

export class Narrator {
  constructor(private readonly config: AppConfig) {}

  /** Whether a narrative can be asked for at all. */
  get enabled(): boolean {
    return Boolean(this.config.LLM_BASE_URL && this.config.LLM_MODEL);
  }

  /** Asks for a narrative and keeps it only if every number in it is in the evidence. */
  async narrate(analysis: Analysis, ranked: Ranked[]): Promise<Narrative> {
    if (!this.enabled) return { text: null, status: 'disabled' };
    const evidence = JSON.stringify(narrativeEvidence(analysis, ranked));
    let text: string;
    try {
      text = await this.complete(evidence);
    } catch (error) {
      return {
        text: null,
        status: `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 100),
      };
    }
    const allowed = new Set(numbersIn(evidence));
    const unknown = numbersIn(text).filter((n) => !allowed.has(n));
    if (unknown.length)
      return {
        text: null,
        status: `rejected: numbers not in the evidence: ${unknown.slice(0, 5).join(', ')}`.slice(0, 100),
      };
    return { text, status: 'ok' };
  }

  private async complete(evidence: string): Promise<string> {
    const base = this.config.LLM_BASE_URL!.replace(/\/+$/, '');
    const res = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.config.LLM_API_KEY ? { authorization: `Bearer ${this.config.LLM_API_KEY}` } : {}),
      },
      body: JSON.stringify({
        model: this.config.LLM_MODEL,
        temperature: 0,
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: evidence },
        ],
      }),
      signal: AbortSignal.timeout(this.config.LLM_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`LLM endpoint answered ${res.status}`);
    const body = (await res.json()) as { choices?: { message?: { content?: unknown } }[] };
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string' || !content.trim()) throw new Error('LLM answer has no text');
    return content.trim();
  }
}
