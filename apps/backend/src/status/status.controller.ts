import { Controller, Get, Header } from '@nestjs/common';
import { StatusService } from './status.service';

@Controller('api/status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  // A status page that shows an old state is worse than none; the server caches the costly part.
  @Header('cache-control', 'no-store')
  get() {
    return this.status.report();
  }
}
