import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AlertWebhookGuard } from './alert-webhook.guard';
import { alertmanagerWebhook, AlertmanagerWebhook } from './dto/alertmanager-webhook.schema';
import { IncidentsService } from './incidents.service';

@Controller('api/alerts')
export class AlertsController {
  constructor(private readonly incidents: IncidentsService) {}

  /** Alertmanager's webhook receiver; any 2xx counts as delivered, anything else is retried. */
  @Post('webhook')
  @HttpCode(200)
  @UseGuards(AlertWebhookGuard)
  receive(@Body(new ZodValidationPipe(alertmanagerWebhook)) body: AlertmanagerWebhook) {
    return this.incidents.record(body);
  }
}
