import { describe, expect, it } from 'vitest';
import { deriveOperationId, openApiPath } from './openapi-names.ts';

describe('operationIds derived from method and path', () => {
  it.each([
    ['GET', '/budgets', 'listBudgets'],
    ['POST', '/budgets', 'createBudget'],
    ['GET', '/budgets/{id}', 'getBudget'],
    ['PUT', '/budgets/{id}', 'updateBudget'],
    ['DELETE', '/budgets/{id}/lines/{lineId}', 'deleteBudgetLine'],
    ['POST', '/budgets/{id}/submit', 'submitBudget'],
    ['GET', '/budgets/{id}/export.xlsx', 'exportBudgetXlsx'],
    ['GET', '/actuals/batches/{id}', 'getActualsBatch'],
    ['GET', '/settings', 'getSettings'],
    ['PUT', '/variance/thresholds', 'updateVarianceThresholds'],
    ['POST', '/recommendations/{bundleId}/items/{recommendationId}/accept', 'acceptRecommendationItem'],
    ['POST', '/auth/login', 'login'],
  ])('%s %s -> %s', (method, path, id) => {
    expect(deriveOperationId(method, path)).toBe(id);
  });

  it('writes Fastify parameters the OpenAPI way', () => {
    expect(openApiPath('/budgets/:id/lines/:lineId')).toBe('/budgets/{id}/lines/{lineId}');
  });
});
