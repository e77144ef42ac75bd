import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, tokensMatch } from '../auth/admin-token.guard';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * Alertmanager authenticates with `http_config.authorization` (Bearer, credentials_file):
 * a token of its own, so the admin token never has to live in the monitoring stack.
 */
@Injectable()
export class AlertWebhookGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.alerts.webhookToken;
    if (!expected) throw new ForbiddenException('The alert webhook is disabled: ALERT_WEBHOOK_TOKEN is not configured on the server');
    const http = context.switchToHttp();
    const given = bearerToken(http.getRequest<FastifyRequest>().headers.authorization);
    if (!given || !tokensMatch(given, expected)) {
      void http.getResponse<FastifyReply>().header('www-authenticate', 'Bearer realm="ecosyste-alerts"');
      throw new UnauthorizedException(given ? 'Invalid webhook token' : 'Missing bearer token: send Authorization: Bearer <ALERT_WEBHOOK_TOKEN>');
    }
    return true;
  }
}
