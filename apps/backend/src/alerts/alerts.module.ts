import { Module } from '@nestjs/common';
import { AlertsController } from './alerts.controller';
import { IncidentRepository } from './incident.repository';
import { IncidentsService } from './incidents.service';

@Module({
  controllers: [AlertsController],
  providers: [IncidentsService, IncidentRepository],
  exports: [IncidentsService],
})
export class AlertsModule {}
