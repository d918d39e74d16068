/** Builds the Fastify application: plugins, error handling, OpenAPI and every module's routes. */
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { v7 as uuidv7 } from 'uuid';
import { MappingService } from '../../modules/actuals/actuals.mappings.ts';
import { actualsRoutes } from '../../modules/actuals/actuals.routes.ts';
import { ActualsService } from '../../modules/actuals/actuals.service.ts';
import { auditRoutes } from '../../modules/audit/audit.routes.ts';
import { budgetRoutes } from '../../modules/budgets/budgets.routes.ts';
import { BudgetService } from '../../modules/budgets/budgets.service.ts';
import {
  createCollaboration,
  registerCollaboration,
} from '../../modules/collaboration/collaboration.module.ts';
import { excelRoutes } from '../../modules/excel/excel.routes.ts';
import { ExcelService } from '../../modules/excel/excel.service.ts';
import { createForecasting, registerForecasting } from '../../modules/forecasting/forecasting.module.ts';
import { fxRoutes } from '../../modules/fx/fx.routes.ts';
import { FxService } from '../../modules/fx/fx.service.ts';
import { jobRoutes } from '../../modules/jobs/jobs.routes.ts';
import { lineRoutes } from '../../modules/lines/lines.routes.ts';
import { LineService } from '../../modules/lines/lines.service.ts';
import { periodRoutes } from '../../modules/periods/periods.routes.ts';
import { PeriodService } from '../../modules/periods/periods.service.ts';
import { registerRecommendationJobs } from '../../modules/recommendations/recommendations.jobs.ts';
import { Narrator } from '../../modules/recommendations/recommendations.narrative.ts';
import { recommendationRoutes } from '../../modules/recommendations/recommendations.routes.ts';
import { RecommendationService } from '../../modules/recommendations/recommendations.service.ts';
import { scenarioRoutes } from '../../modules/scenarios/scenarios.routes.ts';
import { ScenarioService } from '../../modules/scenarios/scenarios.service.ts';
import { settingsRoutes } from '../../modules/settings/settings.routes.ts';
import { SettingsService } from '../../modules/settings/settings.service.ts';
import { templateRoutes } from '../../modules/templates/templates.routes.ts';
import { TemplateService } from '../../modules/templates/templates.service.ts';
import { userRoutes } from '../../modules/users/users.routes.ts';
import { UserService } from '../../modules/users/users.service.ts';
import { registerVarianceJobs } from '../../modules/variance/variance.jobs.ts';
import { varianceRoutes } from '../../modules/variance/variance.routes.ts';
import { VarianceService } from '../../modules/variance/variance.service.ts';
import { workflowRoutes } from '../../modules/workflow/workflow.routes.ts';
import { WorkflowService } from '../../modules/workflow/workflow.service.ts';
import { createAuthenticator } from '../auth/authenticate.ts';
import { ChangeHooks } from '../events/change-hooks.ts';
import { FEATURES, featureJobs, registerFeature } from '../features.ts';
import type { Platform } from '../platform.ts';
import { registerWebSocket } from '../ws/gateway.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './error-handler.ts';
import { healthRoutes } from './health.routes.ts';
import { installJsonBodyParser } from './json-body.ts';
import { rejectNulCharacters } from './nul-guard.ts';
import { registerOpenApi } from './openapi.ts';
import { redisWithLocalFallback } from './rate-limit-store.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { API_PREFIX, type App } from './types.ts';
import { closeIfBodyUnread } from './uploads.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Creates the HTTP app over an opened platform. */
export async function buildApp(platform: Platform, logger: FastifyServerOptions['logger'] = false) {
  const { config } = platform;
  const app = Fastify({
    logger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : uuidv7();
    },
    ajv: undefined,
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>() as App;

  // The API speaks JSON only: a text/plain body would reach the schemas as a string (a
  // confusing 400); without the default text parser it is the 415 it should be.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  // Responses are shaped by presenters; serialising without re-validation keeps large budgets fast.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // The JSON parser checks the body for NUL; this hook checks query and path (never a stream).
  installJsonBodyParser(app);
  app.addHook('preValidation', rejectNulCharacters);
  app.addHook('onSend', closeIfBodyUnread);
  installErrorHandling(app);

  // With Redis the login limit is shared by every process; otherwise, and while Redis is
  // down, it is counted per process (rate-limit-store.ts): an outage never fails a login.
  if (platform.redis) platform.redis.useLog(app.log);
  const rateLimitRedis = platform.redis?.connect('login rate limit');
  if (rateLimitRedis)
    app.addHook(
      'onClose',
      async () => void (await rateLimitRedis.quit().catch(() => rateLimitRedis.disconnect())),
    );
  await app.register(rateLimit, {
    global: false,
    ...(rateLimitRedis
      ? { store: redisWithLocalFallback(rateLimitRedis, `${platform.keyPrefix}rl:`), skipOnError: false }
      : {}),
  });
  await registerSecurityHeaders(app);
  await registerOpenApi(app);

  const auth = createAuthenticator(platform.verifier, platform.tenants);
  const changes = new ChangeHooks();
  const deps = { db: platform.database.db, cache: platform.cache, config, changes };
  const budgets = new BudgetService(deps);
  const lines = new LineService(deps, budgets.cache);
  const collaboration = createCollaboration(platform, deps, lines);
  const periods = new PeriodService(deps, budgets.cache);
  const workflow = new WorkflowService(deps, budgets.cache);
  const settings = new SettingsService(platform.database.db);
  const templates = new TemplateService(deps, budgets);
  const scenarios = new ScenarioService(deps, budgets);
  const users = new UserService(platform.database.db, config, platform.jwtSecret, platform.tenants);
  // Registers the training job handler too, so that `bf worker` trains models.
  const forecasting = createForecasting(platform, deps);
  app.addHook('onClose', () => forecasting.close());
  // Registers the import job handler too, so that `bf worker` runs imports.
  const actuals = new ActualsService(platform.database.db, platform.queue, config);
  const importMappings = new MappingService(platform.database.db);
  const fx = new FxService(platform.database.db);
  const variance = new VarianceService(deps, platform.queue);
  registerVarianceJobs(platform.queue, variance);
  const recommendations = new RecommendationService(
    deps,
    variance,
    scenarios,
    platform.queue,
    new Narrator(config),
  );
  registerRecommendationJobs(featureJobs(platform.queue, config, FEATURES.recommendations), recommendations);
  const excel = new ExcelService(deps, lines, variance);

  await registerWebSocket(app, config);
  healthRoutes(app, platform);
  await app.register(
    async (api) => {
      const a = api as App;
      userRoutes(a, auth, users, config);
      budgetRoutes(a, auth, budgets);
      lineRoutes(a, auth, lines);
      varianceRoutes(a, auth, variance);
      excelRoutes(a, auth, excel, config.BODY_LIMIT_BYTES);
      periodRoutes(a, auth, periods);
      workflowRoutes(a, auth, workflow);
      settingsRoutes(a, auth, settings);
      templateRoutes(a, auth, templates);
      scenarioRoutes(a, auth, scenarios);
      registerFeature(a, config, FEATURES.recommendations, (s) =>
        recommendationRoutes(s, auth, recommendations),
      );
      auditRoutes(a, auth, platform.database.db);
      jobRoutes(a, auth, platform.database.db);
      registerFeature(a, config, FEATURES.forecasting, (s) => registerForecasting(s, auth, forecasting));
      registerFeature(a, config, FEATURES.collaboration, (s) =>
        registerCollaboration(s, auth, collaboration),
      );
      actualsRoutes(a, auth, actuals, importMappings);
      fxRoutes(a, auth, fx, config.BODY_LIMIT_BYTES);
    },
    { prefix: API_PREFIX },
  );
  // Handlers are registered above by the modules; only then may this process consume jobs.
  if (config.JOBS_IN_API) await platform.queue.start();
  return {
    app,
    services: {
      budgets,
      lines,
      collaboration,
      users,
      templates,
      scenarios,
      periods,
      workflow,
      settings,
      forecasting,
    },
  };
}
