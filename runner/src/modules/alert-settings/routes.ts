import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  AlertSettings,
  AlertSettingsBody,
} from '../../../../shared/src/contracts/runner-api/notifications';
import { forbidden, problemResponses } from '../../http/problem';
import { actorFields, inOrg, orgOf } from '../../http/request-context';
import { viewerOf } from '../workflows/access';
import { readAlertSettings, writeAlertSettings } from './repository';

/** The caller as a workflow viewer with a user id (an API key acts as the user who created it). */
function alertViewer(request: Parameters<typeof viewerOf>[0]) {
  const viewer = viewerOf(request);
  if (!viewer.userId) throw forbidden('alert settings belong to a user; this API key has none');
  return { ...viewer, userId: viewer.userId };
}

/** Per-member muting of failure alerts (docs/decisions/0016). */
export async function alertSettingsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/alert-settings',
    {
      config: { access: 'notifications:read' },
      schema: {
        tags: ['notifications'],
        summary: "The caller's failure-alert muting in this organization",
        response: { 200: AlertSettings, ...problemResponses },
      },
    },
    async (request) => {
      const viewer = alertViewer(request);
      return inOrg(request, (em) => readAlertSettings(em, viewer));
    },
  );

  app.put(
    '/v1/alert-settings',
    {
      config: { access: 'notifications:read' },
      schema: {
        tags: ['notifications'],
        summary: "Replace the caller's failure-alert muting (all workflows, or named ones)",
        body: AlertSettingsBody,
        response: { 200: AlertSettings, ...problemResponses },
      },
    },
    async (request) => {
      const viewer = alertViewer(request);
      return inOrg(request, (em) =>
        writeAlertSettings(em, {
          orgId: orgOf(request).id,
          viewer,
          body: request.body,
          actor: actorFields(request),
        }),
      );
    },
  );
}
