import { Global, Module } from '@nestjs/common';
import { ConnectionCloseHook } from './connection-close.hook';
import { ShutdownState } from './shutdown.state';

@Global()
@Module({
  providers: [ShutdownState, ConnectionCloseHook],
  exports: [ShutdownState],
})
export class LifecycleModule {}
