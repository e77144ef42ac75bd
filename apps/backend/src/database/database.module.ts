import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DatabaseClient } from './database.client';
import { DatabaseSeeder } from './seed/database.seeder';

export const DATABASE = Symbol('DATABASE');

@Global()
@Module({
  providers: [
    {
      provide: DatabaseClient,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const client = await DatabaseClient.connect(config.database);
        // Only the embedded database seeds itself, so a first `npm start` shows a populated directory.
        if (client.kind === 'pglite' && config.database.seedOnEmpty > 0) {
          await new DatabaseSeeder(client.db).seedIfEmpty(config.database.seedOnEmpty);
        }
        return client;
      },
    },
    { provide: DATABASE, inject: [DatabaseClient], useFactory: (client: DatabaseClient) => client.db },
  ],
  exports: [DatabaseClient, DATABASE],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DatabaseClient) private readonly client: DatabaseClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
