/**
 * THE list of screens. One entry per screen; each screen lives in its own folder under
 * pages/<screen>/ and is loaded on demand (its code is not in the first screen's bundle).
 * `nav` puts it in the side navigation (ordered by `order`, shown only to users holding
 * `permission`). To add a screen: create pages/<screen>/<Screen>Page.tsx with a default export
 * and append an entry here.
 */
import { type ComponentType, type LazyExoticComponent, lazy } from 'react';
import type { Permission } from './lib/permissions.tsx';

export interface AppRoute {
  /** Path below `/` in react-router syntax ("budgets/:budgetId"). */
  path: string;
  Component: LazyExoticComponent<ComponentType>;
  /** Needed to open the screen (a user without it sees "no access" instead). */
  permission?: Permission;
  nav?: { label: string; order: number; description?: string };
}

export const routes: AppRoute[] = [
  {
    path: 'budgets',
    Component: lazy(() => import('./pages/budgets/BudgetsPage.tsx')),
    permission: 'budgets:read',
    nav: { label: 'Budgets', order: 10, description: 'Plans by fiscal year' },
  },
];

/** Where `/` leads: the first screen in the navigation. */
export const HOME = '/budgets';
