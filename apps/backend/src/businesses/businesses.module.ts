import { Module } from '@nestjs/common';
import { BusinessRepository } from './business.repository';
import { BusinessesController } from './businesses.controller';
import { BusinessesService } from './businesses.service';

@Module({
  controllers: [BusinessesController],
  providers: [BusinessesService, BusinessRepository],
})
export class BusinessesModule {}
