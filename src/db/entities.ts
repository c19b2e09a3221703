/** Entities of later modules register here so mikro-orm.config.ts stays stable. */
export const extraEntities: Function[] = [];
