import { Injectable, NotFoundException } from '@nestjs/common';
import { CacheService } from '../cache/cache.service';
import { SingleFlight } from '../common/single-flight';
import { Business } from '../database/schema';
import { BusinessRepository } from './business.repository';
import { CreateBusinessBody, UpdateBusinessBody } from './dto/business-body.schema';
import { ListBusinessesQuery } from './dto/list-businesses.query';

export interface BusinessPage {
  items: Business[];
  page: number;
  limit: number;
  total: number;
}

const LIST_GROUP = 'businesses:list';
const listKey = (q: ListBusinessesQuery) =>
  `businesses:list:${q.page}:${q.limit}:${q.category?.toLowerCase() ?? ''}:${q.city?.toLowerCase() ?? ''}:${q.q?.toLowerCase() ?? ''}`;
const detailKey = (id: string) => `businesses:id:${id}`;

/**
 * Reads go through a short-lived cache; every write drops the cached lists and the written
 * business, so the next search after a write sees it.
 */
@Injectable()
export class BusinessesService {
  private readonly listLoads = new SingleFlight<BusinessPage>();
  private readonly detailLoads = new SingleFlight<Business | undefined>();

  constructor(
    private readonly repository: BusinessRepository,
    private readonly cache: CacheService,
  ) {}

  async list(query: ListBusinessesQuery): Promise<BusinessPage> {
    const key = listKey(query);
    const cached = await this.cache.get(key);
    if (cached) return JSON.parse(cached) as BusinessPage;
    return this.listLoads.run(key, async () => {
      const { items, total } = await this.repository.search(query);
      const page: BusinessPage = { items, page: query.page, limit: query.limit, total };
      this.cache.set(key, JSON.stringify(page), LIST_GROUP);
      return page;
    });
  }

  async get(id: string): Promise<Business> {
    const cached = await this.cache.get(detailKey(id));
    if (cached) return JSON.parse(cached) as Business;
    const business = await this.detailLoads.run(id, async () => {
      const found = await this.repository.findById(id);
      if (found) this.cache.set(detailKey(id), JSON.stringify(found));
      return found;
    });
    if (!business) throw notFound(id);
    return business;
  }

  async create(body: CreateBusinessBody): Promise<Business> {
    const business = await this.repository.create(body);
    this.listLoads.forget();
    await this.cache.invalidateGroup(LIST_GROUP);
    return business;
  }

  async update(id: string, body: UpdateBusinessBody): Promise<Business> {
    const business = await this.repository.update(id, body);
    if (!business) throw notFound(id);
    this.forgetLoads(id);
    await Promise.all([this.cache.del(detailKey(id)), this.cache.invalidateGroup(LIST_GROUP)]);
    return business;
  }

  async remove(id: string): Promise<void> {
    const deleted = await this.repository.delete(id);
    if (!deleted) throw notFound(id);
    this.forgetLoads(id);
    await Promise.all([this.cache.del(detailKey(id)), this.cache.invalidateGroup(LIST_GROUP)]);
  }

  /** A read that starts after a write must not be handed a result loaded before it. */
  private forgetLoads(id: string): void {
    this.listLoads.forget();
    this.detailLoads.forget(id);
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`Business ${id} not found`);
}
