import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { requireBearer } from './bearer-token';

/** Writes need `Authorization: Bearer <API_ADMIN_TOKEN>`; without a configured token, writes are off. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    return requireBearer(context, {
      expected: this.config.security.adminToken,
      variable: 'API_ADMIN_TOKEN',
      feature: 'Writes are',
      realm: 'ecosyste',
    });
  }
}
