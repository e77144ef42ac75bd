import { Injectable, NotFoundException } from '@nestjs/common';
import { CacheService } from '../cache/cache.service';
import { CachedJson } from '../common/cached-json';
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
 * business, so the next search after a write sees it. Reads return the JSON bytes (CachedJson),
 * from the cache or just written to it: a hit is sent without being parsed and serialised again,
 * and a miss is serialised once, for the cache and the response alike.
 */
@Injectable()
export class BusinessesService {
  private readonly listLoads = new SingleFlight<CachedJson<BusinessPage>>();
  private readonly detailLoads = new SingleFlight<CachedJson<Business> | undefined>();

  constructor(
    private readonly repository: BusinessRepository,
    private readonly cache: CacheService,
  ) {}

  async list(query: ListBusinessesQuery): Promise<CachedJson<BusinessPage>> {
    const key = listKey(query);
    const cached = await this.cache.get(key, LIST_GROUP);
    if (cached) return new CachedJson<BusinessPage>(cached);
    return this.listLoads.run(key, async () => {
      const { items, total } = await this.repository.search(query);
      const page = CachedJson.of<BusinessPage>({ items, page: query.page, limit: query.limit, total });
      this.cache.set(key, page.bytes, LIST_GROUP);
      return page;
    });
  }

  /** The page if this process holds it in cache now (CachedReadHook); else undefined, and `list` reads it. */
  peekList(query: ListBusinessesQuery): CachedJson<BusinessPage> | undefined {
    const cached = this.cache.peek(listKey(query));
    return cached && new CachedJson<BusinessPage>(cached);
  }

  /** The business if this process holds it in cache now (CachedReadHook); else undefined, and `get` reads it. */
  peekDetail(id: string): CachedJson<Business> | undefined {
    const cached = this.cache.peek(detailKey(id));
    return cached && new CachedJson<Business>(cached);
  }

  async get(id: string): Promise<CachedJson<Business>> {
    const cached = await this.cache.get(detailKey(id));
    if (cached) return new CachedJson<Business>(cached);
    const business = await this.detailLoads.run(id, async () => {
      const found = await this.repository.findById(id);
      if (!found) return undefined;
      const json = CachedJson.of(found);
      this.cache.set(detailKey(id), json.bytes);
      return json;
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
