import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from '../../objectstore/index.js';
import { ChannelError, extractTarGz, formatS3Uri, parseS3Uri } from '../../training/data/index.js';
import type { ContainerRequest, ContainerResponse } from '../container-client.js';
import { modelErrorFromResponse, type EndpointScope } from '../model-errors.js';
import { directoryBytes } from './directory-bytes.js';
import { corruptModelArchive, modelStillLoading, targetModelNotFound } from './mme-errors.js';
import { modelId } from './model-id.js';
import { residentBytes } from './process-memory.js';

/** What the cache needs of a model server (ModelServer fits). */
export interface MultiModelContainer {
  readonly client: { request(request: ContainerRequest): Promise<ContainerResponse> };
  /** The server's processes, whose resident memory is the models' memory use. */
  processIds(): number[];
  /** Restarts after crashes so far: a change means the server lost every loaded model. */
  readonly restarts?: number;
}

/** One invocation's payload and the headers forwarded to the container. */
export interface MultiModelInvocation {
  readonly body: Buffer;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
}

export interface MultiModelCacheOptions {
  readonly objectStore: ObjectStore;
  /** The model's ModelDataUrl: an S3 prefix; TargetModel is appended to it as is. */
  readonly modelDataUrl: string;
  readonly container: MultiModelContainer;
  /** Host directory the container sees as /opt/ml/models (`<instance dir>/models`). */
  readonly modelsDir: string;
  /** The same directory as the container names it in `POST /models` urls: `/opt/ml/models` in the sandbox, else `modelsDir`. */
  readonly containerModelsDir: string;
  /** Resident memory the model server may reach with its loaded models (memoryBudgetBytes()). */
  readonly memoryBudgetBytes: number;
  /** Disk space unpacked models may fill; unused (unloaded) ones are deleted beyond it. */
  readonly diskBudgetBytes: number;
  /** MultiModelConfig.ModelCacheSetting: `false` (Disabled) unloads and deletes a model after each invocation. Default true. */
  readonly cacheEnabled?: boolean;
  /** For ModelErrors of loads the container refused: the endpoint and the container's name (`primary`). */
  readonly errors: { readonly scope: EndpointScope; readonly endpointName: string; readonly container: string };
  /** How long a request waits for its model to be downloaded and loaded before ModelNotReadyException (SageMaker: 60 s). */
  readonly loadWaitMs?: number;
  /** How long the container may take to answer `POST /models` (SageMaker: 360 s). */
  readonly loadTimeoutMs?: number;
  /** How long the container may take to answer an invocation (SageMaker: 60 s). */
  readonly invokeTimeoutMs?: number;
}

/** Counters and sizes of one instance's cache (for tests, benchmarks and logs). */
export interface MultiModelCacheStats {
  /** Models loaded in the container now. */
  readonly loaded: number;
  /** Models unpacked on disk now. */
  readonly onDisk: number;
  readonly diskBytes: number;
  /** The model server's resident memory as last measured (or estimated), and the highest seen. */
  readonly residentBytes: number;
  readonly peakResidentBytes: number;
  readonly downloads: number;
  readonly loads: number;
  readonly unloads: number;
}

interface Entry {
  readonly id: string;
  readonly targetModel: string;
  onDisk: boolean;
  diskBytes: number;
  loaded: boolean;
  /** Resident memory the load added (measured around it). */
  memoryBytes: number;
  /** The transition in progress (download + load, or unload); others wait for it. */
  busy: Promise<void> | undefined;
  loading: boolean;
  lastUsed: number;
  inFlight: number;
}

const defaultLoadWaitMs = 60_000;
const defaultLoadTimeoutMs = 360_000;
const defaultInvokeTimeoutMs = 60_000;
const unloadTimeoutMs = 60_000;
/** Process ids are looked up again at most this often (a /proc scan). */
const pidCacheMs = 2000;

/**
 * One multi-model instance's models (SageMaker's MME data plane for one container): on a TargetModel's
 * first request the object `ModelDataUrl + TargetModel` is downloaded and unpacked to
 * `<models dir>/<id>/model` (id = modelId(ModelDataUrl, TargetModel)), loaded with `POST /models
 * {"model_name": id, "url": "/opt/ml/models/<id>/model"}`, then invoked with `POST
 * /models/<id>/invoke` and `X-Amzn-SageMaker-Target-Model`. Concurrent first requests load once.
 * After each load the server's resident memory is measured; beyond the budget the least recently
 * used idle models are unloaded (`DELETE /models/<id>`, files kept), as on a 507 answer to a load or
 * an invocation. Beyond the disk budget unused unpacked models are deleted. A model being unloaded,
 * a failed load or a corrupt archive affects only that model.
 */
export class MultiModelInstanceCache {
  /** By TargetModel (the id is a hash of it: computing it on every routing decision would be per-request work). */
  private readonly entries = new Map<string, Entry>();
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly cacheEnabled: boolean;
  private tick = 0;
  private rss = 0;
  private peakRss = 0;
  private pids: { at: number; ids: number[] } | undefined;
  private seenRestarts: number;
  private closed = false;
  private counters = { downloads: 0, loads: 0, unloads: 0 };
  /** The server's lowest resident memory measured while it held none of this cache's models. */
  private baseline: number | undefined;
  private partials = 0;

  constructor(private readonly options: MultiModelCacheOptions) {
    const location = parseS3Uri(options.modelDataUrl);
    this.bucket = location.bucket;
    this.prefix = location.key;
    this.cacheEnabled = options.cacheEnabled ?? true;
    this.seenRestarts = options.container.restarts ?? 0;
  }

  /** Whether `targetModel` is loaded or being loaded here (routing affinity). */
  holds(targetModel: string): boolean {
    const entry = this.entries.get(targetModel);
    return entry !== undefined && (entry.loaded || entry.loading);
  }

  /**
   * Loads `targetModel` if needed and invokes it. Resolves with the container's answer whatever its
   * status (the caller maps non-2xx to ModelError as for single-model containers); a 404 "model not
   * found" (the server restarted) reloads and retries, a 507 unloads the least recently used model and retries.
   * @throws RuntimeValidationError when the object is missing or not a tar.gz archive;
   *   ModelNotReady when loading takes longer than the wait (it goes on); ModelError when the
   *   container refuses to load the model; ContainerRequestError when the container does not answer.
   */
  async invoke(targetModel: string, request: MultiModelInvocation): Promise<ContainerResponse> {
    if (this.closed) throw new Error('the multi-model cache is closed');
    this.noticeRestart();
    const entry = this.entry(targetModel);
    entry.inFlight++;
    entry.lastUsed = ++this.tick;
    try {
      for (let attempt = 0; ; attempt++) {
        await this.awaitLoaded(entry);
        const response = await this.options.container.client.request({
          method: 'POST',
          path: `/models/${entry.id}/invoke`,
          body: request.body,
          headers: invocationHeaders(targetModel, request),
          timeoutMs: this.options.invokeTimeoutMs ?? defaultInvokeTimeoutMs,
        });
        if (attempt < 2 && response.status === 404 && notLoaded(response)) {
          entry.loaded = false;
          continue;
        }
        if (attempt < 2 && response.status === 507 && (await this.evictOne(entry))) continue;
        return response;
      }
    } finally {
      entry.inFlight--;
      entry.lastUsed = ++this.tick;
      if (!this.cacheEnabled) this.drop(entry);
      this.forgetIfUnused(entry);
    }
  }

  /** Sizes and counters now. */
  stats(): MultiModelCacheStats {
    let loaded = 0;
    let onDisk = 0;
    let diskBytes = 0;
    for (const entry of this.entries.values()) {
      if (entry.loaded) loaded++;
      if (entry.onDisk) {
        onDisk++;
        diskBytes += entry.diskBytes;
      }
    }
    return { loaded, onDisk, diskBytes, residentBytes: this.rss, peakResidentBytes: this.peakRss, ...this.counters };
  }

  /** Refuses further invocations (the instance is being stopped; its directory goes with it). */
  close(): void {
    this.closed = true;
  }

  private entry(targetModel: string): Entry {
    let entry = this.entries.get(targetModel);
    if (!entry) {
      entry = {
        id: modelId(this.options.modelDataUrl, targetModel),
        targetModel,
        onDisk: false,
        diskBytes: 0,
        loaded: false,
        memoryBytes: 0,
        busy: undefined,
        loading: false,
        lastUsed: 0,
        inFlight: 0,
      };
      this.entries.set(targetModel, entry);
    }
    return entry;
  }

  /** A restarted server holds no models: forget what was loaded (the files stay). */
  private noticeRestart(): void {
    const restarts = this.options.container.restarts ?? 0;
    if (restarts === this.seenRestarts) return;
    this.seenRestarts = restarts;
    for (const entry of this.entries.values()) entry.loaded = false;
    this.pids = undefined;
  }

  /** Waits for the model to be loaded (starting the load if nobody has), at most loadWaitMs. */
  private async awaitLoaded(entry: Entry): Promise<void> {
    // the usual case on the invocation path: no timer, no race
    if (entry.loaded) return;
    const waitMs = this.options.loadWaitMs ?? defaultLoadWaitMs;
    const loading = this.ensureLoaded(entry);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
    loading.catch(() => undefined);
    try {
      if ((await Promise.race([loading.then(() => 'loaded' as const), timeout])) === 'timeout') throw modelStillLoading(entry.targetModel, waitMs);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Single flight: one download + load per model at a time; every waiter gets its outcome. */
  private async ensureLoaded(entry: Entry): Promise<void> {
    while (!entry.loaded) {
      if (entry.busy) {
        await entry.busy;
        continue;
      }
      entry.loading = true;
      entry.busy = this.load(entry).finally(() => {
        entry.busy = undefined;
        entry.loading = false;
      });
    }
  }

  private async load(entry: Entry): Promise<void> {
    if (!entry.onDisk) await this.fetch(entry);
    await this.makeRoom(entry);
    const { client } = this.options.container;
    for (;;) {
      const before = await this.measure();
      const response = await client.request({
        method: 'POST',
        path: '/models',
        body: Buffer.from(JSON.stringify({ model_name: entry.id, url: `${this.options.containerModelsDir}/${entry.id}/model` })),
        headers: { 'content-type': 'application/json' },
        timeoutMs: this.options.loadTimeoutMs ?? defaultLoadTimeoutMs,
      });
      if (response.status === 507 && (await this.evictOne(entry))) continue;
      if (response.status !== 200 && response.status !== 409) {
        await this.deleteFiles(entry);
        const { scope, endpointName, container } = this.options.errors;
        throw modelErrorFromResponse(scope, endpointName, container, response.status, response.body);
      }
      entry.loaded = true;
      this.counters.loads++;
      const after = await this.measure();
      entry.memoryBytes = this.measured() ? Math.max(0, after - before) : entry.diskBytes;
      if (!this.measured()) await this.measure();
      break;
    }
    await this.enforceMemory(entry);
  }

  /** Downloads and unpacks the archive into `<models dir>/<id>/model` (whole or not at all). */
  private async fetch(entry: Entry): Promise<void> {
    const key = this.prefix + entry.targetModel;
    const finalDir = path.join(this.options.modelsDir, entry.id);
    const partialDir = path.join(this.options.modelsDir, `.partial-${entry.id}-${++this.partials}`);
    try {
      await extractTarGz(this.options.objectStore, { bucket: this.bucket, key }, path.join(partialDir, 'model'));
      await rm(finalDir, { recursive: true, force: true });
      await rename(partialDir, finalDir);
    } catch (error) {
      await rm(partialDir, { recursive: true, force: true });
      if (error instanceof ChannelError) {
        if (error.kind === 'ObjectUnavailable') throw targetModelNotFound(this.bucket, key);
        throw corruptModelArchive(entry.targetModel, formatS3Uri({ bucket: this.bucket, key }), error.message);
      }
      throw error;
    }
    this.counters.downloads++;
    entry.onDisk = true;
    entry.diskBytes = await directoryBytes(finalDir);
    await this.enforceDisk(entry);
  }

  private async deleteFiles(entry: Entry): Promise<void> {
    entry.onDisk = false;
    entry.diskBytes = 0;
    await rm(path.join(this.options.modelsDir, entry.id), { recursive: true, force: true });
  }

  /** Deletes unused unpacked models, least recently used first, while the disk budget is exceeded. */
  private async enforceDisk(current: Entry): Promise<void> {
    let used = 0;
    for (const entry of this.entries.values()) if (entry.onDisk) used += entry.diskBytes;
    while (used > this.options.diskBudgetBytes) {
      const victim = this.leastRecentlyUsed((entry) => entry.onDisk && !entry.loaded && entry !== current);
      if (!victim) return;
      used -= victim.diskBytes;
      await this.deleteFiles(victim);
      this.forgetIfUnused(victim);
    }
  }

  /** Before a load: makes room for one more model of the loaded models' average footprint. */
  private async makeRoom(current: Entry): Promise<void> {
    await this.evictWhileOver(current, this.options.memoryBudgetBytes - this.footprint());
  }

  /** After a load: unloads idle models while the server is over the budget. */
  private async enforceMemory(current: Entry): Promise<void> {
    await this.evictWhileOver(current, this.options.memoryBudgetBytes);
  }

  /**
   * Unloads least recently used idle models while the server's resident memory exceeds `limit`,
   * measuring again after each unload (our model servers hand freed memory back to the system), but
   * at most as many as the excess is worth at the loaded models' average footprint: a server that
   * keeps freed memory (glibc's heap, most Python servers) shows the same RSS after an unload, and
   * re-measuring alone would then unload its whole cache. The footprint comes from the totals —
   * (RSS − RSS with none of these models) ÷ loaded models — because the growth around one load
   * misses what a model takes later (its first invocations) and, with concurrent loads, counts the others'.
   */
  private async evictWhileOver(current: Entry, limit: number): Promise<void> {
    await this.measure();
    if (this.rss <= limit) return;
    const most = Math.max(1, Math.ceil((this.rss - limit) / Math.max(1, this.footprint())));
    for (let n = 0; n < most && this.rss > limit; n++) {
      if (!(await this.evictOne(current))) return;
      await this.measure();
    }
  }

  /** The average memory a loaded model holds: the growth since the first load over the models loaded now. */
  private footprint(): number {
    let loaded = 0;
    for (const entry of this.entries.values()) if (entry.loaded) loaded++;
    return loaded === 0 ? 0 : Math.max(0, this.rss - (this.baseline ?? 0)) / loaded;
  }

  /** Unloads the least recently used idle loaded model other than `current`; false when there is none. */
  private async evictOne(current: Entry): Promise<boolean> {
    const victim = this.leastRecentlyUsed((entry) => entry.loaded && entry !== current);
    if (!victim) return false;
    victim.busy = this.unload(victim, false).finally(() => (victim.busy = undefined));
    await victim.busy;
    return true;
  }

  /** Drops the bookkeeping of a model that is neither loaded nor on disk nor in use (so unknown TargetModels do not accumulate). */
  private forgetIfUnused(entry: Entry): void {
    if (!entry.loaded && !entry.onDisk && !entry.busy && entry.inFlight === 0 && this.entries.get(entry.targetModel) === entry)
      this.entries.delete(entry.targetModel);
  }

  /** ModelCacheSetting Disabled: unload and delete a model once nobody uses it. */
  private drop(entry: Entry): void {
    if (entry.inFlight > 0 || entry.busy || this.closed) return;
    entry.busy = this.unload(entry, true).finally(() => {
      entry.busy = undefined;
      this.forgetIfUnused(entry);
    });
  }

  private async unload(entry: Entry, deleteFiles: boolean): Promise<void> {
    if (entry.loaded) {
      entry.loaded = false;
      this.counters.unloads++;
      // 200 unloaded, 404 not loaded (the server restarted): either way it is gone; no answer: the server is down, also gone
      await this.options.container.client.request({ method: 'DELETE', path: `/models/${entry.id}`, timeoutMs: unloadTimeoutMs }).catch(() => undefined);
    }
    if (deleteFiles) await this.deleteFiles(entry);
  }

  private leastRecentlyUsed(eligible: (entry: Entry) => boolean): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.entries.values()) {
      if (entry.busy || entry.inFlight > 0 || !eligible(entry)) continue;
      if (!best || entry.lastUsed < best.lastUsed) best = entry;
    }
    return best;
  }

  private processIds(): number[] {
    const now = Date.now();
    if (!this.pids || now - this.pids.at > pidCacheMs || this.pids.ids.length === 0) this.pids = { at: now, ids: this.options.container.processIds() };
    return this.pids.ids;
  }

  private measured(): boolean {
    return this.processIds().length > 0;
  }

  /** Without process ids (a server we cannot see), loaded models are counted at their unpacked size. */
  private estimatedUse(): number {
    let sum = 0;
    for (const entry of this.entries.values()) if (entry.loaded) sum += entry.memoryBytes;
    return sum;
  }

  /** The server's resident memory now (kept as `rss`, and the peak). */
  private async measure(): Promise<number> {
    const pids = this.processIds();
    this.rss = pids.length > 0 ? await residentBytes(pids) : this.estimatedUse();
    this.peakRss = Math.max(this.peakRss, this.rss);
    if (![...this.entries.values()].some((entry) => entry.loaded)) this.baseline = Math.min(this.baseline ?? this.rss, this.rss);
    return this.rss;
  }
}

/** The request headers the container gets (SageMaker strips the others). */
function invocationHeaders(targetModel: string, request: MultiModelInvocation): Record<string, string> {
  const headers: Record<string, string> = { 'x-amzn-sagemaker-target-model': headerSafe(targetModel) };
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  if (request.accept !== undefined) headers['accept'] = request.accept;
  if (request.customAttributes !== undefined) headers['x-amzn-sagemaker-custom-attributes'] = request.customAttributes;
  return headers;
}

/** HTTP header values are Latin-1: a TargetModel with other characters is sent percent-encoded. */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

/** A 404 meaning "no model of that name is loaded" (MMS's ModelNotFoundException), not the model's own 404. */
function notLoaded(response: ContainerResponse): boolean {
  try {
    const body = JSON.parse(response.body.toString('utf8')) as { type?: unknown };
    return body.type === 'ModelNotFoundException';
  } catch {
    return false;
  }
}
