import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { RenderPool } from '@flotilla/render';

/** The hub's render workers, closed with the application. */
@Injectable()
export class RenderPoolProvider extends RenderPool implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
