import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { badInput, notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { Synfluencer } from './synfluencer.entity';

export interface SynfluencerInput {
  name?: string | null;
  handle?: string | null;
  platforms?: string[] | null;
}

const HANDLE_RE = /^@?[A-Za-z0-9._-]{1,64}$/;

export class SynfluencersService {
  constructor(private readonly orm: MikroORM) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  private validate(input: SynfluencerInput, creating: boolean): void {
    if (creating || input.name !== undefined) {
      const name = (input.name ?? '').trim();
      if (name.length === 0 || name.length > 100) throw badInput('name must be 1 to 100 characters');
    }
    if (creating || input.handle !== undefined) {
      if (!HANDLE_RE.test(input.handle ?? '')) throw badInput('handle must be 1 to 64 letters, digits, ".", "_" or "-" (an optional leading "@")');
    }
    if (input.platforms !== undefined && input.platforms !== null) {
      if (input.platforms.length > 20) throw badInput('at most 20 platforms');
      if (input.platforms.some((p) => typeof p !== 'string' || p.trim() === '' || p.length > 40)) throw badInput('each platform must be 1 to 40 characters');
    }
  }

  async list(accountId: string, includeArchived: boolean): Promise<Synfluencer[]> {
    return this.em().find(Synfluencer, includeArchived ? { accountId } : { accountId, archived: false }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  async byIds(ids: readonly string[]): Promise<Map<string, Synfluencer>> {
    const valid = ids.filter(isUuid);
    const rows = valid.length ? await this.em().find(Synfluencer, { id: { $in: valid } }) : [];
    return new Map(rows.map((s) => [s.id, s]));
  }

  async create(accountId: string, input: SynfluencerInput): Promise<Synfluencer> {
    this.validate(input, true);
    const em = this.em();
    const s = em.create(Synfluencer, {
      accountId,
      name: input.name!.trim(),
      handle: input.handle!.replace(/^@/, ''),
      platforms: [...new Set((input.platforms ?? []).map((p) => p.trim().toLowerCase()))],
    });
    await em.flush();
    return s;
  }

  /** Another account's synfluencer is NOT_FOUND: its existence is not revealed. */
  private async own(em: EntityManager, accountId: string, id: string): Promise<Synfluencer> {
    if (!isUuid(id)) throw notFound('Synfluencer');
    const s = await em.findOne(Synfluencer, { id, accountId });
    if (!s) throw notFound('Synfluencer');
    return s;
  }

  async update(accountId: string, id: string, input: SynfluencerInput): Promise<Synfluencer> {
    this.validate(input, false);
    const em = this.em();
    const s = await this.own(em, accountId, id);
    if (input.name !== undefined && input.name !== null) s.name = input.name.trim();
    if (input.handle !== undefined && input.handle !== null) s.handle = input.handle.replace(/^@/, '');
    if (input.platforms !== undefined && input.platforms !== null) s.platforms = [...new Set(input.platforms.map((p) => p.trim().toLowerCase()))];
    await em.flush();
    return s;
  }

  async archive(accountId: string, id: string): Promise<Synfluencer> {
    const em = this.em();
    const s = await this.own(em, accountId, id);
    s.archived = true;
    await em.flush();
    return s;
  }
}
