import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { requireBearer } from '../auth/bearer-token';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * Alertmanager authenticates with `http_config.authorization` (Bearer, credentials_file):
 * a token of its own, so the admin token never has to live in the monitoring stack.
 */
@Injectable()
export class AlertWebhookGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    return requireBearer(context, {
      expected: this.config.alerts.webhookToken,
      variable: 'ALERT_WEBHOOK_TOKEN',
      feature: 'The alert webhook is',
      realm: 'ecosyste-alerts',
    });
  }
}
