-- Variance groups actuals by (period, currency, GL account, category, department). Those columns
-- are strongly correlated, so without multivariate statistics the planner guesses ~100x too
-- many groups and picks a serial, sort-based aggregate over a parallel hash one.
CREATE STATISTICS IF NOT EXISTS "actuals_variance_ndistinct" (ndistinct)
  ON "period", "currency", "gl_account_id", "category", "department_id" FROM "actuals";
