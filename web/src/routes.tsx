/**
 * THE list of screens. One entry per screen; each screen lives in its own folder under
 * pages/<screen>/ and is loaded on demand (its code is not in the first screen's bundle).
 * `nav` puts it in the side navigation (ordered by `order`, shown only to users holding
 * `permission`). To add a screen: create pages/<screen>/<Screen>Page.tsx with a default export
 * and append an entry here.
 */
import { type ComponentType, createElement, type LazyExoticComponent, lazy } from 'react';
import { matchPath } from 'react-router';
import type { Permission } from './lib/permissions.tsx';

export interface AppRoute {
  /** Path below `/` in react-router syntax ("budgets/:budgetId"). */
  path: string;
  Component: LazyExoticComponent<ComponentType>;
  /** The screen's component once its code is loaded. */
  loaded(): ComponentType | undefined;
  /** Starts loading the screen's code (what Component loads on first render). */
  load: () => Promise<unknown>;
  /** Needed to open the screen (a user without it sees "no access" instead). */
  permission?: Permission;
  nav?: { label: string; order: number; description?: string };
}

/** A screen loaded on demand: its lazy component, the loader that starts it (once), and its code once loaded. */
function screen(
  load: () => Promise<{ default: ComponentType }>,
): Pick<AppRoute, 'Component' | 'load' | 'loaded'> {
  let loaded: ComponentType | undefined;
  let started: Promise<{ default: ComponentType }> | undefined;
  const start = () => {
    started ??= load().then(
      (m) => {
        loaded = m.default;
        return m;
      },
      (error: unknown) => {
        started = undefined; // a failed chunk may load on the next try
        throw error;
      },
    );
    return started;
  };
  return { Component: lazy(start), load: start, loaded: () => loaded };
}

/**
 * A route's screen: its code directly once loaded (preloadScreen), else the lazy component. A
 * lazy component suspends on its first render even when its code is already there, and React 19
 * then holds the fallback for at least 300 ms (its fallback throttle): a third of a second of
 * the editor's first load.
 */
export function ScreenOf({ route }: { route: AppRoute }) {
  return createElement(route.loaded() ?? route.Component);
}

/**
 * Starts loading the code of the screen at `pathname` (a page opened by its address): in
 * parallel with the sign-in check, instead of after it (the editor's chunk took 0.4 s).
 */
export function preloadScreen(pathname: string): void {
  const route = routes.find((r) => matchPath(`/${r.path}`, pathname));
  void route?.load().catch(() => {});
}

export const routes: AppRoute[] = [
  {
    path: 'budgets',
    ...screen(() => import('./pages/budgets/BudgetsPage.tsx')),
    permission: 'budgets:read',
    nav: { label: 'Budgets', order: 10, description: 'Plans by fiscal year' },
  },
  {
    path: 'budgets/:budgetId',
    ...screen(() => import('./pages/budget-editor/BudgetEditorPage.tsx')),
    permission: 'budgets:read',
  },
  // Screens of the analysis side (helper "screens"): workflow, actuals and variance, planning, forecasts, audit.
  {
    path: 'budgets/:budgetId/workflow',
    ...screen(() => import('./pages/workflow/WorkflowPage.tsx')),
    permission: 'budgets:read',
  },
  {
    path: 'actuals',
    ...screen(() => import('./pages/actuals/ActualsPage.tsx')),
    permission: 'actuals:read',
    nav: { label: 'Actuals', order: 30, description: 'Ledger imports' },
  },
  {
    path: 'variance',
    ...screen(() => import('./pages/variance/VariancePage.tsx')),
    permission: 'actuals:read',
    nav: { label: 'Variance', order: 40, description: 'Budget vs actual' },
  },
  {
    path: 'scenarios',
    ...screen(() => import('./pages/scenarios/ScenariosPage.tsx')),
    permission: 'scenarios:read',
    nav: { label: 'Scenarios', order: 50, description: 'What-ifs, compare, promote' },
  },
  {
    path: 'templates',
    ...screen(() => import('./pages/templates/TemplatesPage.tsx')),
    permission: 'templates:read',
    nav: { label: 'Templates', order: 55, description: 'Versions and new budgets' },
  },
  {
    path: 'forecasts',
    ...screen(() => import('./pages/forecasts/ForecastsPage.tsx')),
    permission: 'forecasts:read',
    nav: { label: 'Forecasts', order: 60, description: 'Models and outlook' },
  },
  {
    path: 'recommendations',
    ...screen(() => import('./pages/recommendations/RecommendationsPage.tsx')),
    permission: 'recommendations:read',
    nav: { label: 'Recommendations', order: 70, description: 'Ranked, with evidence' },
  },
  {
    path: 'dimensions',
    ...screen(() => import('./pages/dimensions/DimensionsPage.tsx')),
    permission: 'budgets:read',
    nav: { label: 'Dimensions', order: 80, description: 'Departments, accounts' },
  },
  {
    path: 'audit',
    ...screen(() => import('./pages/audit/AuditPage.tsx')),
    permission: 'audit:read',
    nav: { label: 'Audit log', order: 90, description: 'Who changed what' },
  },
];

/** Where `/` leads: the first screen in the navigation. */
export const HOME = '/budgets';
