import { ContainerClient, type ContainerRequest, type ContainerResponse } from './container-client.js';

/**
 * A ContainerClient that knows how many requests to its server are in flight and when the server last
 * made progress (answered a request, or went from idle to busy): what a health check needs to tell a
 * busy server from a hung one.
 */
export class TrackedClient extends ContainerClient {
  /** Requests sent and not finished. */
  inFlight = 0;
  /** Requests sent so far (one sent during a ping overlapped it). */
  sent = 0;
  /** When the server last made progress (epoch ms). */
  progressAt = 0;

  override async request(request: ContainerRequest): Promise<ContainerResponse> {
    const done = this.begin();
    try {
      const response = await super.request(request);
      done(true);
      return response;
    } finally {
      done(false);
    }
  }

  override async open(request: ContainerRequest): ReturnType<ContainerClient['open']> {
    const done = this.begin();
    try {
      const response = await super.open(request);
      this.progressAt = Date.now();
      if (response.body.destroyed) done(true);
      else response.body.once('close', () => done(true));
      return response;
    } catch (error) {
      done(false);
      throw error;
    }
  }

  /** Counts a request in; the returned function counts it out once (`answered`: the server answered it). */
  private begin(): (answered: boolean) => void {
    if (this.inFlight === 0) this.progressAt = Date.now();
    this.inFlight++;
    this.sent++;
    let finished = false;
    return (answered) => {
      if (finished) return;
      finished = true;
      this.inFlight--;
      if (answered) this.progressAt = Date.now();
    };
  }
}
