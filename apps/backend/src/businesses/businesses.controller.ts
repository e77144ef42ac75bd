import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { BusinessesService } from './businesses.service';
import { businessIdSchema } from './dto/business-id.param';
import { CreateBusinessBody, createBusinessBody, UpdateBusinessBody, updateBusinessBody } from './dto/business-body.schema';
import { listBusinessesQuery, ListBusinessesQuery } from './dto/list-businesses.query';

// Shared with CachedReadHook, which answers cache hits of the two reads before Nest: it must accept
// exactly what these accept.
export const idPipe = new ZodValidationPipe(businessIdSchema, 'id');
export const listQueryPipe = new ZodValidationPipe(listBusinessesQuery);

export const BUSINESSES_PATH = '/api/businesses';

/** The public reads are also answered, when their result is cached in this process, by CachedReadHook. */
@Controller(BUSINESSES_PATH.slice(1))
export class BusinessesController {
  constructor(private readonly businesses: BusinessesService) {}

  @Get()
  list(@Query(listQueryPipe) query: ListBusinessesQuery) {
    return this.businesses.list(query);
  }

  @Get(':id')
  get(@Param('id', idPipe) id: string) {
    return this.businesses.get(id);
  }

  @Post()
  @UseGuards(AdminTokenGuard)
  create(@Body(new ZodValidationPipe(createBusinessBody)) body: CreateBusinessBody) {
    return this.businesses.create(body);
  }

  @Patch(':id')
  @UseGuards(AdminTokenGuard)
  update(@Param('id', idPipe) id: string, @Body(new ZodValidationPipe(updateBusinessBody)) body: UpdateBusinessBody) {
    return this.businesses.update(id, body);
  }

  @Delete(':id')
  @UseGuards(AdminTokenGuard)
  @HttpCode(204)
  async remove(@Param('id', idPipe) id: string): Promise<void> {
    await this.businesses.remove(id);
  }
}
