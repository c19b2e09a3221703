import { UsageRollup } from '../modules/usage/usage-rollup.entity';

/** Entities of later modules register here so mikro-orm.config.ts stays stable. */
export const extraEntities: Function[] = [UsageRollup];
