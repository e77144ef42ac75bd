import { Module } from '@nestjs/common';
import { CachedJsonSerializer } from '../common/cached-json.serializer';
import { BusinessRepository } from './business.repository';
import { BusinessesController } from './businesses.controller';
import { BusinessesService } from './businesses.service';

@Module({
  controllers: [BusinessesController],
  providers: [BusinessesService, BusinessRepository, CachedJsonSerializer],
})
export class BusinessesModule {}
