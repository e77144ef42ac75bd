import { Module } from '@nestjs/common';
import { CachedJsonSerializer } from '../common/cached-json.serializer';
import { BusinessRepository } from './business.repository';
import { BusinessesController } from './businesses.controller';
import { BusinessesService } from './businesses.service';
import { CachedReadHook } from './cached-read.hook';

@Module({
  controllers: [BusinessesController],
  providers: [BusinessesService, BusinessRepository, CachedJsonSerializer, CachedReadHook],
})
export class BusinessesModule {}
